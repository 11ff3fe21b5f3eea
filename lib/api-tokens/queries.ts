import "server-only";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { API_SCOPE_NAMES, type ApiScope } from "@/lib/api-tokens/scopes";
import { tokenState } from "@/lib/api-tokens/token";
import { SERVICE_TOKEN_PERMISSION } from "@/lib/api-tokens/store";
import { can } from "@/lib/rbac";

export interface TokenRow {
  id: string;
  name: string;
  kind: "PERSONAL" | "SERVICE";
  prefix: string;
  scopes: string[];
  /** Environment display names; empty: every environment. */
  environments: string[];
  owner: { name: string; email: string };
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  /** "active", or why it no longer works. */
  state: { usable: true } | { usable: false; reason: "revoked" | "expired" };
  /** Whether the viewer may revoke it (their own, or any as an admin). */
  revocable: boolean;
}

async function rows(viewer: CurrentUser, where: { ownerId?: string }, now: Date): Promise<TokenRow[]> {
  const [tokens, environments] = await Promise.all([
    db.apiToken.findMany({
      where,
      orderBy: { createdAt: "desc" },
      take: 500,
      omit: { tokenHash: true },
      include: { owner: { select: { name: true, email: true } } },
    }),
    db.environment.findMany({ select: { id: true, displayName: true } }),
  ]);
  const names = new Map(environments.map((e) => [e.id, e.displayName]));
  const admin = can(viewer, SERVICE_TOKEN_PERMISSION);
  return tokens.map((t) => {
    const state = tokenState(t, now);
    return {
      id: t.id,
      name: t.name,
      kind: t.kind,
      prefix: t.prefix,
      scopes: t.scopes,
      // An environment deleted since keeps its id in the token and still grants nothing.
      environments: t.environmentIds.map((id) => names.get(id) ?? "(deleted environment)"),
      owner: t.owner,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
      lastUsedAt: t.lastUsedAt,
      state: state.usable ? state : { usable: false, reason: t.revokedAt ? "revoked" : "expired" },
      revocable: !t.revokedAt && (t.ownerId === viewer.id || admin),
    };
  });
}

/** The viewer's own tokens, newest first. */
export function myTokens(viewer: CurrentUser, now = new Date()) {
  return rows(viewer, { ownerId: viewer.id }, now);
}

/** Everyone's tokens, for admins (the page checks the permission). */
export function everyonesTokens(viewer: CurrentUser, now = new Date()) {
  return rows(viewer, {}, now);
}

export interface TokenFormOptions {
  /** The API's scopes the viewer's roles allow: a token can never do more than its owner. */
  scopes: ApiScope[];
  environments: { id: string; displayName: string }[];
  canMakeServiceTokens: boolean;
}

export async function tokenFormOptions(viewer: CurrentUser): Promise<TokenFormOptions> {
  const environments = await db.environment.findMany({
    orderBy: { position: "asc" },
    select: { id: true, displayName: true },
  });
  return {
    scopes: API_SCOPE_NAMES.filter((p) => can(viewer, p)),
    environments,
    canMakeServiceTokens: can(viewer, SERVICE_TOKEN_PERMISSION),
  };
}
