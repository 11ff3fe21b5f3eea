import { beforeAll, describe, expect, it } from "vitest";
import { loadUser } from "@/lib/auth/current-user";
import { assignRole, removeRole } from "@/lib/people/roles";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});

describe("role assignment", () => {
  it("gives a person a second role, effective at once, and audits it", async () => {
    await assignRole(f.admin, f.viewer.id, "ON_CALL");
    expect((await loadUser(f.viewer.id))?.roles).toEqual(["ON_CALL", "VIEWER"]);
    const entry = await f.db.auditLog.findFirstOrThrow({
      where: { action: "role.assign", targetId: f.viewer.id },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({
      actorId: f.admin.id,
      before: { roles: ["VIEWER"] },
      after: { roles: ["ON_CALL", "VIEWER"] },
      metadata: { role: "ON_CALL" },
    });
  });

  it("removes a role and audits it", async () => {
    await removeRole(f.admin, f.viewer.id, "ON_CALL");
    expect((await loadUser(f.viewer.id))?.roles).toEqual(["VIEWER"]);
    const entry = await f.db.auditLog.findFirstOrThrow({
      where: { action: "role.remove", targetId: f.viewer.id },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({ before: { roles: ["ON_CALL", "VIEWER"] }, after: { roles: ["VIEWER"] } });
  });

  it("refuses anyone but an admin", async () => {
    await expect(assignRole(f.releaseManager, f.releaseManager.id, "ADMIN")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(removeRole(f.viewer, f.admin.id, "ADMIN")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await loadUser(f.releaseManager.id))?.roles).toEqual(["RELEASE_MANAGER"]);
  });

  it("grants a role once when two admins race", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => assignRole(f.admin, f.onCall.id, "RELEASE_MANAGER")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "CONFLICT" });
    expect(await f.db.roleAssignment.count({ where: { userId: f.onCall.id, role: "RELEASE_MANAGER" } })).toBe(1);
    expect(await f.db.auditLog.count({ where: { action: "role.assign", targetId: f.onCall.id } })).toBe(1);
  });

  it("asks once for an approver role when two admins race; it waits for a second admin", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => assignRole(f.admin, f.onCall.id, "SECURITY_LEAD")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "CONFLICT" });
    expect(await f.db.gateChange.count({ where: { key: `role:${f.onCall.id}:SECURITY_LEAD` } })).toBe(1);
    expect(await f.db.roleAssignment.count({ where: { userId: f.onCall.id, role: "SECURITY_LEAD" } })).toBe(0);
  });

  it("keeps at least one admin", async () => {
    // The demo's second admin, disabled, does not count.
    await f.db.user.update({ where: { id: f.secondAdmin.id }, data: { disabledAt: new Date() } });
    try {
      await expect(removeRole(f.admin, f.admin.id, "ADMIN")).rejects.toThrow("This is the last admin");
      expect((await loadUser(f.admin.id))?.roles).toContain("ADMIN");
    } finally {
      await f.db.user.update({ where: { id: f.secondAdmin.id }, data: { disabledAt: null } });
    }
  });

  it("says when there is nothing to do", async () => {
    await expect(assignRole(f.admin, f.viewer.id, "VIEWER")).rejects.toThrow("already holds Viewer");
    await expect(removeRole(f.admin, f.viewer.id, "CTO")).rejects.toThrow("does not hold CTO / VP Engineering");
    await expect(assignRole(f.admin, "cm0nobody000000000000000", "VIEWER")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
