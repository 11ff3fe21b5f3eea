import { describe, expect, it } from "vitest";
import { CANARY_CONTROLS, can, forbiddenMessage, PERMISSIONS, type Permission } from "@/lib/rbac";
import { ALL_ROLES, type Role } from "@/lib/roles";

// The matrix written out by hand, role by role: a change to lib/rbac.ts must change this too.
const A = ["CTO", "ENGINEERING_LEAD", "DEVOPS_LEAD", "SECURITY_LEAD", "PRODUCT_LEAD", "HEAD_OF_SUPPORT"] as const;
const EXPECTED: Record<Permission, Role[]> = {
  "dashboard:read": [...A, "RELEASE_MANAGER", "ON_CALL", "VIEWER", "ADMIN"],
  "release:create": ["RELEASE_MANAGER", "ADMIN"],
  "release:edit": ["RELEASE_MANAGER", "ADMIN"],
  "release:cancel": ["RELEASE_MANAGER", "ADMIN"],
  "release:deploy": ["RELEASE_MANAGER", "ADMIN"],
  "release:sign": [...A],
  "checklist:tick": [...A, "RELEASE_MANAGER", "ADMIN"],
  "service:rollback": ["ON_CALL", "RELEASE_MANAGER", "ADMIN"],
  "followup:tick": ["RELEASE_MANAGER", "ON_CALL", "ADMIN"],
  "run:control": ["ON_CALL", "RELEASE_MANAGER", "ADMIN"],
  "incident:manage": ["ON_CALL", "RELEASE_MANAGER", "ADMIN"],
  "gate:override": ["ADMIN"],
  "gate:confirm": ["ADMIN"],
  "people:manage": ["ADMIN"],
  "settings:manage": ["ADMIN"],
  "audit:read": ["ADMIN"],
};

describe("permission matrix", () => {
  it("covers exactly the permissions the app defines", () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  const cases = (Object.keys(EXPECTED) as Permission[]).flatMap((permission) =>
    ALL_ROLES.map((role) => ({ permission, role, allowed: EXPECTED[permission].includes(role) })),
  );

  it.each(cases)("$role → $permission: $allowed", ({ permission, role, allowed }) => {
    expect(can({ roles: [role] }, permission)).toBe(allowed);
  });

  it("grants what any one of several roles grants", () => {
    expect(can({ roles: ["VIEWER", "ON_CALL"] }, "service:rollback")).toBe(true);
    expect(can({ roles: ["VIEWER", "ON_CALL"] }, "release:create")).toBe(false);
  });

  it("refuses people without roles and anonymous callers", () => {
    expect(can({ roles: [] }, "dashboard:read")).toBe(false);
    expect(can(null, "dashboard:read")).toBe(false);
    expect(can(undefined, "release:create")).toBe(false);
  });

  // Promoting sends the canary to everyone (a deploy decision); aborting only makes things safer.
  it.each<[Role, boolean, boolean]>([
    ["ON_CALL", false, true],
    ["RELEASE_MANAGER", true, true],
    ["ADMIN", true, true],
    ["VIEWER", false, false],
    ["CTO", false, false],
  ])("%s → canary promote: %s, abort: %s", (role, promote, abort) => {
    expect(can({ roles: [role] }, CANARY_CONTROLS.promote.permission)).toBe(promote);
    expect(can({ roles: [role] }, CANARY_CONTROLS.abort.permission)).toBe(abort);
  });

  it("names the roles in refusals", () => {
    expect(forbiddenMessage("release:create", "create a release")).toBe(
      "Only a release manager or admin can create a release.",
    );
    expect(forbiddenMessage("service:rollback", "roll back")).toBe(
      "Only an on-call engineer, release manager or admin can roll back.",
    );
  });
});
