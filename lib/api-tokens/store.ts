import { addDays } from "date-fns";
import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage, type Permission } from "@/lib/rbac";
import type { Role } from "@/lib/roles";
import type { CreateApiTokenInput } from "@/lib/schemas/api-tokens";
import {
  effectivePermissions,
  generateSecret,
  hashSecret,
  LAST_USED_EVERY_MS,
  parseAuthorization,
  shouldTouchLastUsed,
  shownPrefix,
  tokenState,
} from "@/lib/api-tokens/token";

/** Service tokens, and every person's tokens in the admin list, are admins' business. */
export const SERVICE_TOKEN_PERMISSION: Permission = "settings:manage";

/**
 * Makes a token for `user` (a service token, too, is owned by the admin who makes it, so it can
 * never do more than they can). Returns the secret, which is not stored and never shown again.
 */
export async function createApiToken(user: CurrentUser, input: CreateApiTokenInput, now = new Date()) {
  if (!can(user, "dashboard:read"))
    throw new AppError("FORBIDDEN", forbiddenMessage("dashboard:read", "make an API token"));
  if (input.kind === "SERVICE" && !can(user, SERVICE_TOKEN_PERMISSION))
    throw new AppError("FORBIDDEN", "Only an admin can make a service token.");
  const scopes = [...new Set(input.scopes)];
  const beyond = scopes.filter((scope) => !can(user, scope));
  if (beyond.length > 0) {
    const message = `Your roles do not allow ${beyond.join(", ")}, so no token of yours can.`;
    throw new AppError("INVALID", message, { scopes: [message] });
  }
  const environmentIds = [...new Set(input.environmentIds)];
  if (environmentIds.length > 0) {
    const found = await db.environment.count({ where: { id: { in: environmentIds } } });
    if (found !== environmentIds.length) {
      const message = "Choose environments from the list; one of them does not exist.";
      throw new AppError("INVALID", message, { environmentIds: [message] });
    }
  }
  const secret = generateSecret();
  const token = await db.$transaction(async (tx) => {
    const token = await tx.apiToken.create({
      data: {
        name: input.name,
        kind: input.kind,
        ownerId: user.id,
        tokenHash: hashSecret(secret),
        prefix: shownPrefix(secret),
        scopes,
        environmentIds,
        expiresAt: addDays(now, input.expiresInDays),
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "api_token.create",
      targetType: "api_token",
      targetId: token.id,
      // Never the secret or its hash: the audit log is readable by every admin.
      after: {
        name: token.name,
        kind: token.kind,
        prefix: token.prefix,
        scopes,
        environmentIds,
        expiresAt: token.expiresAt.toISOString(),
      },
    });
    return token;
  });
  return { token: { id: token.id, name: token.name, prefix: token.prefix, expiresAt: token.expiresAt }, secret };
}

/** Revokes one's own token; an admin may revoke anyone's. Revoking twice is a no-op. */
export async function revokeApiToken(user: CurrentUser, tokenId: string, now = new Date()) {
  if (!can(user, "dashboard:read"))
    throw new AppError("FORBIDDEN", forbiddenMessage("dashboard:read", "revoke an API token"));
  return db.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id: tokenId } });
    // Somebody else's token reads as missing to a non-admin: its existence is not theirs to learn.
    if (!token || (token.ownerId !== user.id && !can(user, SERVICE_TOKEN_PERMISSION)))
      throw new AppError("NOT_FOUND", "That API token does not exist.");
    if (token.revokedAt) return { id: token.id, revokedAt: token.revokedAt };
    const revoked = await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: now } });
    await recordAudit(tx, actorOf(user), {
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: token.id,
      before: { name: token.name, kind: token.kind, prefix: token.prefix, ownerId: token.ownerId },
      after: { revokedAt: now.toISOString() },
    });
    return { id: revoked.id, revokedAt: now };
  });
}

/** A caller with an API token: its owner, limited to the token's scopes (see `can()`). */
export interface TokenCaller extends CurrentUser {
  scopes: Permission[];
  token: { id: string; name: string; kind: "PERSONAL" | "SERVICE"; environmentIds: string[]; lastUsedAt: Date | null };
}

export type Authentication = { ok: true; caller: TokenCaller } | { ok: false; reason: string };

/**
 * Who an Authorization header speaks for, as of now: the owner's live roles and the token's
 * scopes, refused when the token is unknown, revoked or expired or its owner is disabled. Reads
 * only; the use is recorded by `recordTokenUse` once the request has been answered.
 */
export async function authenticateToken(header: string | null, now = new Date()): Promise<Authentication> {
  const parsed = parseAuthorization(header);
  if (!parsed.ok) return parsed;
  const token = await db.apiToken.findUnique({
    where: { tokenHash: hashSecret(parsed.secret) },
    include: { owner: { include: { roles: true } } },
  });
  if (!token) return { ok: false, reason: "This API token is not known; it may have been mistyped or deleted." };
  const state = tokenState(token, now);
  if (!state.usable) return { ok: false, reason: state.reason };
  if (token.owner.disabledAt)
    return { ok: false, reason: "The person this API token acts for can no longer sign in, so neither can it." };
  const roles = token.owner.roles.map((r) => r.role as Role).sort();
  return {
    ok: true,
    caller: {
      id: token.owner.id,
      email: token.owner.email,
      name: token.owner.name,
      roles,
      scopes: effectivePermissions(token.scopes, roles),
      token: {
        id: token.id,
        name: token.name,
        kind: token.kind,
        environmentIds: token.environmentIds,
        lastUsedAt: token.lastUsedAt,
      },
    },
  };
}

/**
 * Every answered request of a token is audited (who, which token, what was asked, the answer);
 * its last-used time is written at most once a minute, and only if another request has not just
 * done so.
 */
export async function recordTokenUse(
  caller: TokenCaller,
  use: { method: string; path: string; status: number; target?: { type: string; id: string } },
  now = new Date(),
) {
  const actor = { ...actorOf(caller), label: `${actorOf(caller).label} with API token “${caller.token.name}”` };
  await db.$transaction(async (tx) => {
    await recordAudit(tx, actor, {
      action: "api_token.use",
      targetType: "api_token",
      targetId: caller.token.id,
      metadata: { method: use.method, path: use.path, status: use.status, target: use.target },
    });
    if (shouldTouchLastUsed(caller.token.lastUsedAt, now))
      await tx.apiToken.updateMany({
        where: {
          id: caller.token.id,
          OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_EVERY_MS) } }],
        },
        data: { lastUsedAt: now },
      });
  });
}

/** One person's tokens, newest first (never the hash). */
export function tokensOf(ownerId: string) {
  return db.apiToken.findMany({
    where: { ownerId },
    orderBy: { createdAt: "desc" },
    omit: { tokenHash: true },
  });
}

/** Every token, for the admin list. */
export function allTokens() {
  return db.apiToken.findMany({
    orderBy: { createdAt: "desc" },
    take: 500,
    omit: { tokenHash: true },
    include: { owner: { select: { name: true, email: true } } },
  });
}
