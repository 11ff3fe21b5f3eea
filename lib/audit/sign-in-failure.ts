import type { DbTx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";

export type SignInFailureReason = "wrong_password" | "unknown_account" | "no_password" | "disabled" | "locked_out";

export interface SignInFailure {
  /** The email that was tried, as typed (trimmed, lower case). */
  email: string;
  address: string;
  reason: SignInFailureReason;
  /** The person the email belongs to, when it belongs to one. */
  userId?: string | null;
}

/**
 * Audits a refused password sign-in: who was tried, from where, and why it was refused. Never
 * the password. Nobody is signed in, so the actor is the address.
 */
export async function recordSignInFailure(tx: DbTx, failure: SignInFailure): Promise<void> {
  await recordAudit(
    tx,
    { id: null, label: `sign-in attempt from ${failure.address}` },
    {
      action: "auth.sign_in_failed",
      targetType: failure.userId ? "user" : "email",
      targetId: failure.userId ?? failure.email,
      metadata: { method: "password", email: failure.email, address: failure.address, reason: failure.reason },
    },
  );
}
