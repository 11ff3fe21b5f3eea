import "server-only";
import { recordSignInFailure } from "@/lib/audit/sign-in-failure";
import { demoLoginEnabled } from "@/lib/auth/demo-login";
import { signInLimiter, type SignInLimiter } from "@/lib/auth/rate-limit";
import { lockedOutMessage } from "@/lib/auth/sign-in-messages";
import { db } from "@/lib/db";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { verifyPassword } from "@/lib/people/sign-in";

export type PasswordSignIn =
  | { ok: true; user: { id: string; name: string; email: string } }
  /** message: for the person, when there is more to say than "wrong password" (a wait). */
  | { ok: false; message?: string };

/**
 * A demo account's sign-in: the demo sign-in rule, then the rate limit (before bcrypt, so a
 * locked-out attempt costs one small query), then the password. Every refusal is audited with
 * the email tried, the address and the reason.
 */
export async function signInWithPassword(
  attempt: { email: string; password: string; address: string },
  deps: { limiter?: SignInLimiter; config?: Env } = {},
): Promise<PasswordSignIn> {
  const config = deps.config ?? env();
  if (!demoLoginEnabled(config)) return { ok: false };
  const email = attempt.email.trim().toLowerCase();
  const { address } = attempt;
  const limiter = deps.limiter ?? signInLimiter();

  const allowed = await limiter.attempt(email, address);
  if (!allowed.allowed) {
    log.warn({ email, address }, "sign-in refused: too many failures");
    // One audit row per lockout: hammering a locked account must not grow the audit log per request.
    if (allowed.firstRefusal) {
      const known = await db.user.findUnique({ where: { email }, select: { id: true } });
      await recordSignInFailure(db, { email, address, reason: "locked_out", userId: known?.id });
    }
    return { ok: false, message: lockedOutMessage(allowed.retryAfterMs) };
  }

  const checked = await verifyPassword(email, attempt.password);
  if (checked.ok) {
    await limiter.succeeded(email, address);
    return { ok: true, user: checked.user };
  }
  await recordSignInFailure(db, { email, address, reason: checked.reason, userId: checked.userId });
  return { ok: false };
}
