import bcrypt from "bcryptjs";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { db } from "@/lib/db";
import type { Role } from "@/lib/roles";
import { log } from "@/lib/log";

// Compared against when the email is unknown, so a wrong email and a wrong password take the same time.
let dummyHash: string | undefined;

export type PasswordCheck =
  | { ok: true; user: { id: string; name: string; email: string } }
  | { ok: false; reason: "wrong_password" | "unknown_account" | "no_password" | "disabled"; userId: string | null };

/**
 * Checks a local (demo) account's password and, when it matches, records the sign-in. Callers
 * apply the demo sign-in rule and the rate limit first (lib/auth/password-sign-in.ts).
 */
export async function verifyPassword(email: string, password: string): Promise<PasswordCheck> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  dummyHash ??= await bcrypt.hash("greenlight-timing-equaliser", 10);
  const ok = await bcrypt.compare(password, user?.passwordHash ?? dummyHash);
  if (!user || !user.passwordHash || !ok || user.disabledAt) {
    const reason = !user ? "unknown_account" : !user.passwordHash ? "no_password" : !ok ? "wrong_password" : "disabled";
    log.warn({ email, reason }, "local sign-in refused");
    return { ok: false, reason, userId: user?.id ?? null };
  }
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
    await recordAudit(
      tx,
      { id: user.id, label: `${user.name} <${user.email}>` },
      {
        action: "auth.sign_in",
        targetType: "user",
        targetId: user.id,
        metadata: { method: "password" },
      },
    );
  });
  return { ok: true, user: { id: user.id, name: user.name, email: user.email } };
}

export interface OidcIdentity {
  provider: string;
  providerAccountId: string;
  email: string;
  /** Whether the provider vouches for the email; only then may it match an existing person. */
  emailVerified: boolean;
  name: string;
}

export interface ProvisionPolicy {
  adminEmails: readonly string[];
  defaultRole: "none" | "VIEWER";
}

/**
 * Finds or creates the person behind an OIDC identity. An identity links to an existing person by
 * email only when the provider verified that email. New people get the configured default role
 * (none unless OIDC_DEFAULT_ROLE says otherwise), or admin when their verified email is listed in
 * ADMIN_EMAILS; an admin gives them further roles.
 */
export async function provisionOidcUser(identity: OidcIdentity, policy: ProvisionPolicy): Promise<string | null> {
  const email = identity.email.trim().toLowerCase();
  return db.$transaction(async (tx) => {
    const linked = await tx.account.findUnique({
      where: {
        provider_providerAccountId: { provider: identity.provider, providerAccountId: identity.providerAccountId },
      },
      include: { user: true },
    });
    const byEmail = linked ? null : await tx.user.findUnique({ where: { email } });
    // An unverified email must not take over somebody's existing account.
    if (byEmail && !identity.emailVerified) return null;
    let user = linked?.user ?? byEmail;
    if (user?.disabledAt) return null;
    if (!user) {
      const roles: Role[] = [];
      if (policy.defaultRole !== "none") roles.push(policy.defaultRole);
      if (identity.emailVerified && policy.adminEmails.includes(email)) roles.push("ADMIN");
      user = await tx.user.create({
        data: { email, name: identity.name || email, roles: { create: roles.map((role) => ({ role })) } },
      });
      const actor: Actor = { id: user.id, label: `${user.name} <${user.email}>` };
      await recordAudit(tx, actor, {
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        after: { email, name: user.name, roles },
        metadata: { provider: identity.provider },
      });
    }
    if (!linked) {
      await tx.account.create({
        data: { userId: user.id, provider: identity.provider, providerAccountId: identity.providerAccountId },
      });
    }
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
    await recordAudit(
      tx,
      { id: user.id, label: `${user.name} <${user.email}>` },
      {
        action: "auth.sign_in",
        targetType: "user",
        targetId: user.id,
        metadata: { method: identity.provider },
      },
    );
    return user.id;
  });
}

export function findAccountUserId(provider: string, providerAccountId: string) {
  return db.account
    .findUnique({ where: { provider_providerAccountId: { provider, providerAccountId } }, select: { userId: true } })
    .then((a) => a?.userId ?? null);
}
