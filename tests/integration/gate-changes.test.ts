import { beforeAll, describe, expect, it } from "vitest";
import { overrideGate } from "@/lib/approvals/overrides";
import { loadUser } from "@/lib/auth/current-user";
import { confirmGateChange, declineGateChange } from "@/lib/gate-changes/decide";
import { GATE_CHANGE_TTL_HOURS } from "@/lib/gate-changes/rules";
import { gateChangesFor } from "@/lib/gate-changes/queries";
import { assignRole } from "@/lib/people/roles";
import { createRelease } from "@/lib/releases/create-release";
import { updateEnvironmentSettings } from "@/lib/settings/environments";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});

const settings = (change: { requiresApproval?: boolean; approvalTtlHours?: number; errorBudgetGate?: boolean }) => ({
  environmentId: f.production.id,
  requiresApproval: true,
  authorMaySign: false,
  approvalTtlHours: 168,
  errorBudgetGate: false,
  ...change,
});

const production = () => f.db.environment.findUniqueOrThrow({ where: { id: f.production.id } });

describe("four eyes on the gate", () => {
  it("one admin cannot turn approval off alone: it waits, and the one who asked cannot confirm it", async () => {
    const { pending } = await updateEnvironmentSettings(f.admin, settings({ requiresApproval: false }));
    expect(pending?.summary).toBe("Production: turning approval off");
    expect((await production()).requiresApproval).toBe(true);
    await expect(confirmGateChange(f.admin, pending!.id)).rejects.toThrow(
      "You asked for this change; another admin has to confirm it.",
    );
    // Nor can anyone who is not an admin.
    await expect(confirmGateChange(f.releaseManager, pending!.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await production()).requiresApproval).toBe(true);

    // The page shows it, with who may confirm.
    const asker = await gateChangesFor({ kinds: ["ENVIRONMENT_SETTINGS"] }, f.admin);
    expect(asker.pending).toMatchObject([
      { id: pending!.id, mine: true, refusal: expect.stringContaining("another admin") },
    ]);
    const other = await gateChangesFor({ kinds: ["ENVIRONMENT_SETTINGS"] }, f.secondAdmin);
    expect(other.pending).toMatchObject([{ id: pending!.id, mine: false, refusal: null }]);

    await confirmGateChange(f.secondAdmin, pending!.id);
    expect((await production()).requiresApproval).toBe(false);
    const entry = await f.db.auditLog.findFirstOrThrow({
      where: { action: "environment.update", targetId: f.production.id },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({
      actorId: f.admin.id,
      before: { requiresApproval: true },
      after: { requiresApproval: false },
      metadata: { gateChangeId: pending!.id, confirmedBy: expect.stringContaining("second.admin@greenlight.local") },
    });
    expect(
      await f.db.auditLog.count({
        where: { action: "gate_change.confirm", targetId: pending!.id, actorId: f.secondAdmin.id },
      }),
    ).toBe(1);
    // Turning it back on is tightening: at once, nobody else needed.
    expect(await updateEnvironmentSettings(f.admin, settings({}))).toEqual({ pending: null });
    expect((await production()).requiresApproval).toBe(true);
  });

  it("applies a change once when two admins confirm it at the same moment", async () => {
    const { pending } = await updateEnvironmentSettings(f.admin, settings({ approvalTtlHours: 336 }));
    const third = await loadUser(
      (
        await f.db.user.create({
          data: { email: "third.admin@example.test", name: "Third Admin", roles: { create: [{ role: "ADMIN" }] } },
        })
      ).id,
    );
    const results = await Promise.allSettled([
      confirmGateChange(f.secondAdmin, pending!.id),
      confirmGateChange(third!, pending!.id),
      confirmGateChange(f.secondAdmin, pending!.id),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ message: "This change was already confirmed." });
    expect(
      await f.db.auditLog.count({
        where: { action: "environment.update", metadata: { path: ["gateChangeId"], equals: pending!.id } },
      }),
    ).toBe(1);
    expect((await production()).approvalTtlHours).toBe(336);
    await updateEnvironmentSettings(f.admin, settings({}));
  });

  it("refuses a confirmation made stale by a later change, and changes nothing", async () => {
    const { pending } = await updateEnvironmentSettings(
      f.admin,
      settings({ errorBudgetGate: false, approvalTtlHours: 200 }),
    );
    // Meanwhile someone tightens the same settings.
    await updateEnvironmentSettings(f.secondAdmin, settings({ approvalTtlHours: 24 }));
    await expect(confirmGateChange(f.secondAdmin, pending!.id)).rejects.toThrow(
      "Production's settings changed since this was asked for. Decline this request and ask again.",
    );
    expect((await production()).approvalTtlHours).toBe(24);
    await declineGateChange(f.admin, pending!.id);
    await updateEnvironmentSettings(f.secondAdmin, settings({ approvalTtlHours: 168 })).then(({ pending: p }) =>
      p ? confirmGateChange(f.admin, p.id) : undefined,
    );
  });

  it("one pending request per thing changed; a declined one changes nothing and is final", async () => {
    const { pending } = await updateEnvironmentSettings(f.admin, settings({ requiresApproval: false }));
    await expect(updateEnvironmentSettings(f.secondAdmin, settings({ requiresApproval: false }))).rejects.toThrow(
      /Ada Admin already asked for a change here/,
    );
    await declineGateChange(f.secondAdmin, pending!.id);
    expect((await production()).requiresApproval).toBe(true);
    await expect(confirmGateChange(f.secondAdmin, pending!.id)).rejects.toThrow("This change was declined.");
    await expect(declineGateChange(f.admin, pending!.id)).rejects.toThrow("no longer waiting");
    // The database keeps a decided change as it is, whoever writes.
    await expect(f.db.gateChange.update({ where: { id: pending!.id }, data: { status: "CONFIRMED" } })).rejects.toThrow(
      /already decided/,
    );
  });

  it("a request lapses after its time and can then be asked again", async () => {
    const { pending } = await updateEnvironmentSettings(f.admin, settings({ requiresApproval: false }));
    const later = new Date(Date.now() + (GATE_CHANGE_TTL_HOURS + 1) * 3_600_000);
    await expect(confirmGateChange(f.secondAdmin, pending!.id, later)).rejects.toThrow(/lapsed after 24 hours/);
    expect((await production()).requiresApproval).toBe(true);
    // Lapsed requests no longer show as waiting, and no longer block a new one.
    const lapsed = await gateChangesFor({ kinds: ["ENVIRONMENT_SETTINGS"] }, f.secondAdmin, later);
    expect(lapsed.pending).toEqual([]);
    // ...and show as lapsed, dated by their expiry, before anyone asks again.
    expect(lapsed.decided[0]).toMatchObject({ id: pending!.id, status: "EXPIRED" });
    await f.db.gateChange.update({ where: { id: pending!.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const again = await updateEnvironmentSettings(f.admin, settings({ requiresApproval: false }));
    expect(again.pending?.id).not.toBe(pending!.id);
    expect((await f.db.gateChange.findUniqueOrThrow({ where: { id: pending!.id } })).status).toBe("EXPIRED");
    await declineGateChange(f.admin, again.pending!.id);
  });
});

describe("who asked", () => {
  it("a request from someone who is no longer an admin does not stand", async () => {
    const third = await f.db.user.create({
      data: { email: "leaving.admin@example.test", name: "Leaving Admin", roles: { create: [{ role: "ADMIN" }] } },
    });
    const leaving = (await loadUser(third.id))!;
    const { pending } = await updateEnvironmentSettings(leaving, settings({ requiresApproval: false }));
    await f.db.roleAssignment.deleteMany({ where: { userId: third.id, role: "ADMIN" } });
    await expect(confirmGateChange(f.secondAdmin, pending!.id)).rejects.toThrow(
      "Leaving Admin is no longer an admin, so this request no longer stands.",
    );
    expect((await production()).requiresApproval).toBe(true);
    await declineGateChange(f.secondAdmin, pending!.id);
  });
});

describe("overrides", () => {
  it("are refused on a finished release: there is nothing left to override", async () => {
    const release = await createRelease(f.releaseManager, {
      serviceId: f.checkout.id,
      environmentId: f.staging.id,
      imageRef: "registry.greenlight.local/shop/checkout:11.0.0",
      strategy: "ROLLING",
      changeSummary: "A release that has shipped.",
      links: [],
    });
    await f.db.release.update({ where: { id: release.id }, data: { status: "DEPLOYED" } });
    await expect(
      overrideGate(f.admin, { releaseId: release.id, revision: 1, kind: "FREEZE", reason: "Too late to matter now." }),
    ).rejects.toThrow("This release was deployed; there is nothing left to override.");
    expect(await f.db.gateChange.count({ where: { key: { startsWith: `override:${release.id}:` } } })).toBe(0);
  });
});

describe("roles", () => {
  it("nobody grants a role to themselves", async () => {
    await expect(assignRole(f.admin, f.admin.id, "SECURITY_LEAD")).rejects.toThrow(
      "Nobody can grant a role to themselves. Ask another admin.",
    );
    await expect(assignRole(f.admin, f.admin.id, "VIEWER")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await loadUser(f.admin.id))?.roles).toEqual(["ADMIN"]);
  });

  it("an approver or admin role waits for a second admin, who may not be the person receiving it", async () => {
    const { pending } = await assignRole(f.admin, f.viewer.id, "CTO");
    expect(pending?.summary).toBe("Grant CTO / VP Engineering to Vera Lind");
    expect((await loadUser(f.viewer.id))?.roles).toEqual(["VIEWER"]);
    await confirmGateChange(f.secondAdmin, pending!.id);
    expect((await loadUser(f.viewer.id))?.roles).toEqual(["CTO", "VIEWER"]);
    const grant = await f.db.roleAssignment.findFirstOrThrow({ where: { userId: f.viewer.id, role: "CTO" } });
    expect(grant.grantedById).toBe(f.admin.id);

    // Ada asks to make Ben (the other admin) an approver: Ben cannot confirm his own grant.
    const forBen = await assignRole(f.admin, f.secondAdmin.id, "DEVOPS_LEAD");
    await expect(confirmGateChange(f.secondAdmin, forBen.pending!.id)).rejects.toThrow(
      "Nobody can confirm a role for themselves; another admin has to.",
    );
    expect((await loadUser(f.secondAdmin.id))?.roles).toEqual(["ADMIN"]);
  });

  it("other roles apply at once", async () => {
    expect((await assignRole(f.admin, f.viewer.id, "ON_CALL")).pending).toBeNull();
    expect((await loadUser(f.viewer.id))?.roles).toContain("ON_CALL");
  });
});
