import { beforeAll, describe, expect, it } from "vitest";
import { releaseGate } from "@/lib/approvals/gate";
import { overrideGate } from "@/lib/approvals/overrides";
import { createRelease } from "@/lib/releases/create-release";
import { freezeWindowSchema } from "@/lib/schemas/settings";
import {
  addChecklistItem,
  addFreezeWindow,
  removeChecklistItem,
  removeFreezeWindow,
  updateEnvironmentSettings,
} from "@/lib/settings/environments";
import { confirmGateChange } from "@/lib/gate-changes/decide";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});

/** A change that weakens the gate waits; the second admin confirms it. */
async function confirmed<T extends { pending: { id: string } | null }>(outcome: Promise<T>) {
  const { pending } = await outcome;
  expect(pending).not.toBeNull();
  await confirmGateChange(f.secondAdmin, pending!.id);
}

const release = (tag: string) =>
  createRelease(f.releaseManager, {
    serviceId: f.checkout.id,
    environmentId: f.staging.id,
    imageRef: `registry.greenlight.local/shop/checkout:${tag}`,
    strategy: "ROLLING",
    changeSummary: "Staging change for settings tests.",
    links: [],
  });

describe("environment settings", () => {
  it("only admins change them, and every change is audited", async () => {
    await expect(
      updateEnvironmentSettings(f.releaseManager, {
        environmentId: f.staging.id,
        requiresApproval: true,
        authorMaySign: false,
        approvalTtlHours: 24,
        errorBudgetGate: false,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Tightening applies at once.
    expect(
      await updateEnvironmentSettings(f.admin, {
        environmentId: f.staging.id,
        requiresApproval: true,
        authorMaySign: false,
        approvalTtlHours: 24,
        errorBudgetGate: false,
      }),
    ).toEqual({ pending: null });
    const entry = await f.db.auditLog.findFirstOrThrow({
      where: { action: "environment.update", targetId: f.staging.id },
    });
    expect(entry).toMatchObject({
      before: { requiresApproval: false, approvalTtlHours: 168 },
      after: { requiresApproval: true, authorMaySign: false, approvalTtlHours: 24 },
    });
    expect((await releaseGate((await release("10.0.0")).id)).unmet.filter((u) => u.kind === "approval")).toHaveLength(
      6,
    );
    // Turning approval off and keeping sign-offs valid longer wait for the second admin.
    await confirmed(
      updateEnvironmentSettings(f.admin, {
        environmentId: f.staging.id,
        requiresApproval: false,
        authorMaySign: false,
        approvalTtlHours: 168,
        errorBudgetGate: false,
      }),
    );
    expect(await f.db.environment.findUniqueOrThrow({ where: { id: f.staging.id } })).toMatchObject({
      requiresApproval: false,
      approvalTtlHours: 168,
    });
  });

  it("switches the error-budget gate on, audited; an unreadable budget warns and does not block", async () => {
    const r = await release("10.3.0");
    expect(await releaseGate(r.id, { metrics: null })).toMatchObject({ green: true, warnings: [] });
    await updateEnvironmentSettings(f.admin, {
      environmentId: f.staging.id,
      requiresApproval: false,
      authorMaySign: false,
      approvalTtlHours: 168,
      errorBudgetGate: true,
    });
    const entry = await f.db.auditLog.findFirstOrThrow({
      where: { action: "environment.update", targetId: f.staging.id },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({ before: { errorBudgetGate: false }, after: { errorBudgetGate: true } });
    expect(await releaseGate(r.id, { metrics: null })).toMatchObject({
      green: true,
      unmet: [],
      warnings: ["error budget unknown: Prometheus is not configured; deploys are not blocked on it"],
    });
    await confirmed(
      updateEnvironmentSettings(f.admin, {
        environmentId: f.staging.id,
        requiresApproval: false,
        authorMaySign: false,
        approvalTtlHours: 168,
        errorBudgetGate: false,
      }),
    );
    expect((await f.db.environment.findUniqueOrThrow({ where: { id: f.staging.id } })).errorBudgetGate).toBe(false);
  });

  it("gives new releases the checklist items added to the template", async () => {
    const item = await addChecklistItem(f.admin, {
      environmentId: f.staging.id,
      label: "Feature flags reviewed",
      required: true,
      evidenceRequired: true,
    });
    const r = await release("10.1.0");
    // Marked by the admin here, so its tick needs a link to the evidence.
    expect(
      await f.db.checklistItem.findFirstOrThrow({ where: { releaseId: r.id, label: "Feature flags reviewed" } }),
    ).toMatchObject({ required: true, evidenceRequired: true });
    const gate = await releaseGate(r.id);
    expect(gate.unmet.map((u) => u.message)).toEqual(["1 required checklist item unchecked: Feature flags reviewed"]);
    await confirmed(removeChecklistItem(f.admin, item.id));
    expect((await releaseGate((await release("10.1.1")).id)).green).toBe(true);
    expect(
      await f.db.auditLog.count({
        where: { action: { in: ["checklist_template.add", "checklist_template.remove"] }, targetId: f.staging.id },
      }),
    ).toBe(2);
  });

  it("freezes deploys while a freeze window is on", async () => {
    const input = freezeWindowSchema.parse({
      environmentId: f.staging.id,
      reason: "Quarter close",
      recurrence: "NONE",
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      timeZone: "Europe/Berlin",
    });
    const window = await addFreezeWindow(f.admin, input);
    const r = await release("10.2.0");
    expect((await releaseGate(r.id)).unmet.map((u) => u.kind)).toEqual(["freeze"]);
    // An admin lets this revision through with a reason; another release stays frozen.
    await expect(
      overrideGate(f.releaseManager, {
        releaseId: r.id,
        revision: 1,
        kind: "FREEZE",
        reason: "Hotfix for the checkout outage.",
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await confirmed(
      overrideGate(f.admin, {
        releaseId: r.id,
        revision: 1,
        kind: "FREEZE",
        reason: "Hotfix for the checkout outage.",
      }),
    );
    expect((await releaseGate(r.id)).green).toBe(true);
    expect((await releaseGate((await release("10.2.1")).id)).unmet.map((u) => u.kind)).toEqual(["freeze"]);
    expect(
      await f.db.auditLog.findFirstOrThrow({ where: { action: "gate.override_freeze", targetId: r.id } }),
    ).toMatchObject({
      actorId: f.admin.id,
      after: { revision: 1, kind: "FREEZE", reason: "Hotfix for the checkout outage." },
    });
    await confirmed(removeFreezeWindow(f.admin, window.id));
    expect((await releaseGate(r.id)).green).toBe(true);
  });

  it.each([
    [{ recurrence: "NONE" }, "A one-off freeze needs an end."],
    [{ recurrence: "NONE", endsAt: "2026-01-01T00:00:00Z" }, "The end must be after the start."],
    [{ recurrence: "WEEKLY", localStartTime: "22:00", durationMinutes: 60 }, "Pick at least one weekday."],
    [{ recurrence: "DAILY", localStartTime: "25:00", durationMinutes: 60 }, "Use 24-hour HH:mm"],
    [
      { recurrence: "DAILY", localStartTime: "22:00", durationMinutes: 60, timeZone: "Mars/Olympus" },
      "Not a time zone",
    ],
  ])("refuses a bad freeze window %j", (change, message) => {
    const result = freezeWindowSchema.safeParse({
      environmentId: "cm1abc",
      reason: "x freeze",
      startsAt: "2026-06-01T00:00:00Z",
      timeZone: "UTC",
      ...change,
    });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});
