import { createHash, randomBytes } from "node:crypto";
import { PERMISSIONS, can, type Permission } from "@/lib/rbac";
import type { Role } from "@/lib/roles";

/**
 * Every secret starts with this, so secret scanners (GitHub's push protection, gitleaks) and
 * people can tell a leaked Greenlight token from other strings, and the API can tell a token from
 * a mistake before looking it up.
 */
export const TOKEN_PREFIX = "glt_";
/** 32 random bytes: 256 bits, so a stored SHA-256 needs no salt or slow hash to resist guessing. */
const SECRET_BYTES = 32;
/** glt_ + base64url of 32 bytes (43 characters). */
const SECRET_PATTERN = /^glt_[A-Za-z0-9_-]{43}$/;
/** How much of the secret lists show: enough to tell tokens apart, far too little to use. */
const SHOWN_CHARACTERS = TOKEN_PREFIX.length + 8;

export const MAX_TOKEN_DAYS = 365;
/** A token's last-used time is written at most this often, so a busy pipeline costs no extra writes. */
export const LAST_USED_EVERY_MS = 60_000;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function generateSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function shownPrefix(secret: string): string {
  return secret.slice(0, SHOWN_CHARACTERS);
}

export type ParsedAuthorization = { ok: true; secret: string } | { ok: false; reason: string };

/**
 * The secret from an `Authorization: Bearer glt_…` header. Refusals are sentences for the person
 * writing the pipeline; none of them repeats what was sent.
 */
export function parseAuthorization(header: string | null | undefined): ParsedAuthorization {
  if (header === null || header === undefined || header.trim() === "")
    return { ok: false, reason: "Send an API token in the Authorization header (Bearer glt_…)." };
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match) return { ok: false, reason: "The Authorization header must be “Bearer ” followed by an API token." };
  const secret = match[1];
  if (!SECRET_PATTERN.test(secret))
    return { ok: false, reason: "That is not a Greenlight API token (they start with glt_ and are 47 characters)." };
  return { ok: true, secret };
}

/** What a token may do now: its scopes that its owner's current roles also allow. */
export function effectivePermissions(scopes: readonly string[], roles: readonly Role[]): Permission[] {
  return ALL_PERMISSIONS.filter((p) => scopes.includes(p) && can({ roles }, p));
}

/** Whether a token restricted to `environmentIds` (empty: all) may act on `environmentId`. */
export function environmentAllowed(environmentIds: readonly string[], environmentId: string): boolean {
  return environmentIds.length === 0 || environmentIds.includes(environmentId);
}

export type TokenState = { usable: true } | { usable: false; reason: string };

/** A stored token's own state (the owner is checked separately): revoked, expired, or usable. */
export function tokenState(token: { revokedAt: Date | null; expiresAt: Date }, now: Date): TokenState {
  if (token.revokedAt) return { usable: false, reason: "This API token was revoked." };
  if (token.expiresAt.getTime() <= now.getTime())
    return { usable: false, reason: `This API token expired on ${token.expiresAt.toISOString().slice(0, 10)}.` };
  return { usable: true };
}

/** Whether this use should write the last-used time (never written, or not in the last minute). */
export function shouldTouchLastUsed(lastUsedAt: Date | null, now: Date): boolean {
  return lastUsedAt === null || now.getTime() - lastUsedAt.getTime() >= LAST_USED_EVERY_MS;
}
