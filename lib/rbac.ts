import { ALL_ROLES, APPROVER_ROLES, ROLE_LABELS, type Role } from "@/lib/roles";

/**
 * The permission matrix: every action a person can take, and the roles that may take it. Server
 * actions, API routes and job handlers all ask `can()`; the UI only mirrors the answer.
 */
export const PERMISSIONS = {
  "dashboard:read": ALL_ROLES,
  "release:create": ["RELEASE_MANAGER", "ADMIN"],
  "release:edit": ["RELEASE_MANAGER", "ADMIN"],
  "release:cancel": ["RELEASE_MANAGER", "ADMIN"],
  "release:deploy": ["RELEASE_MANAGER", "ADMIN"],
  // Signing for a particular role also requires holding that role (lib/approvals).
  "release:sign": APPROVER_ROLES,
  "checklist:tick": ["RELEASE_MANAGER", "ADMIN", ...APPROVER_ROLES],
  "service:rollback": ["ON_CALL", "RELEASE_MANAGER", "ADMIN"],
  // The post-deployment checklist is watched by whoever shipped the version and whoever is on call.
  "followup:tick": ["RELEASE_MANAGER", "ON_CALL", "ADMIN"],
  // Aborting a canary; promoting one is release:deploy (CANARY_CONTROLS).
  "run:control": ["ON_CALL", "RELEASE_MANAGER", "ADMIN"],
  "incident:manage": ["ON_CALL", "RELEASE_MANAGER", "ADMIN"],
  "gate:override": ["ADMIN"],
  // A change that weakens the gate needs a second admin (lib/gate-changes); the rules there add
  // "not the one who asked" and "not a role for oneself".
  "gate:confirm": ["ADMIN"],
  "people:manage": ["ADMIN"],
  "settings:manage": ["ADMIN"],
  "audit:read": ["ADMIN"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * Who may ask what of a running canary. Aborting makes things safer (stable keeps all traffic),
 * so on-call may; promoting sends the new version to everyone, which is a deploy decision.
 */
export const CANARY_CONTROLS = {
  promote: { permission: "release:deploy", verb: "promote a canary to 100 %" },
  abort: { permission: "run:control", verb: "abort a canary" },
} as const satisfies Record<string, { permission: Permission; verb: string }>;

export type CanaryControl = keyof typeof CANARY_CONTROLS;

export interface HasRoles {
  roles: readonly Role[];
  /**
   * Set for a caller with an API token (lib/api-tokens): the token's scopes. What it may do is
   * these ∩ what its owner's roles allow now, so a token can never do more than its owner.
   */
  scopes?: readonly Permission[];
}

export function can(person: HasRoles | null | undefined, permission: Permission): boolean {
  if (!person) return false;
  if (person.scopes && !person.scopes.includes(permission)) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return person.roles.some((role) => allowed.includes(role));
}

/** "Only a release manager or an admin can create a release." */
export function forbiddenMessage(permission: Permission, verb: string): string {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  const names = allowed.map((r) => ROLE_LABELS[r].toLowerCase());
  const list = names.length <= 2 ? names.join(" or ") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  return `Only ${/^[aeiou]/i.test(list) ? "an" : "a"} ${list} can ${verb}.`;
}
