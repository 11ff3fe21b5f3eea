import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/current-user";
import { finishRun } from "@/lib/deploy/engine/finish";
import { DEFAULT_FOLLOW_UPS, followUpDueAt } from "@/lib/follow-ups/due";
import { notifyOverdueFollowUps } from "@/lib/follow-ups/overdue";
import { overdueFollowUpsFor } from "@/lib/follow-ups/queries";
import { addFollowUpTemplateItem, removeFollowUpTemplateItem, setFollowUpTimeZone } from "@/lib/follow-ups/template";
import { tickFollowUp } from "@/lib/follow-ups/tick";
import type { RunKind } from "@/lib/generated/prisma/enums";
import { followUpTimeZoneSchema, tickFollowUpSchema } from "@/lib/schemas/follow-ups";
import { serveHandler, type HandlerServer } from "@/tests/support/alertmanager";
import { seedDemo } from "@/tests/support/fixtures";

vi.hoisted(() => {
  process.env.LOG_LEVEL = "silent";
});

/**
 * The post-deployment checklist on the real database: a succeeded deploy copies its
 * environment's follow-ups with due times, people tick them (once), a newer deploy or a rollback
 * closes what is open, overdue ones are listed for the people who tick them and sent to Slack
 * once however many workers sweep, and admins edit the template (audited).
 */
let fx: Awaited<ReturnType<typeof seedDemo>>;
let slack: HandlerServer;
const messages: string[] = [];

beforeAll(async () => {
  fx = await seedDemo();
  slack = await serveHandler(async (request) => {
    messages.push(((await request.json()) as { text: string }).text);
    return new Response("ok");
  });
  process.env.SLACK_WEBHOOK_URL = `${slack.url}/hooks/test`;
});

afterAll(async () => {
  delete process.env.SLACK_WEBHOOK_URL;
  await slack?.close();
});

async function release(environmentId = fx.production.id) {
  return fx.db.release.create({
    data: {
      serviceId: fx.checkout.id,
      environmentId,
      imageRef: "registry.greenlight.local/shop/checkout:2.0.0",
      imageRepository: "registry.greenlight.local/shop/checkout",
      imageTag: "2.0.0",
      strategy: "BLUE_GREEN",
      changeSummary: "Follow-up test",
      status: "DEPLOYING",
      createdById: fx.releaseManager.id,
    },
  });
}

/** A run that a worker holds and ends through the engine's own finish. */
async function finished(
  releaseId: string | null,
  status: "SUCCEEDED" | "FAILED",
  options: { kind?: RunKind; dryRun?: boolean; environmentId?: string } = {},
) {
  const run = await fx.db.deploymentRun.create({
    data: {
      kind: options.kind ?? "DEPLOY",
      status: "RUNNING",
      releaseId,
      serviceId: fx.checkout.id,
      environmentId: options.environmentId ?? fx.production.id,
      strategy: "BLUE_GREEN",
      dryRun: options.dryRun ?? false,
      leaseOwner: "worker-test",
      reason: options.kind === "ROLLBACK" ? "Errors after the deploy" : null,
    },
  });
  expect(await finishRun(run.id, "worker-test", status, "test", { verify: null, autoRollback: false })).toBe(
    "finished",
  );
  return fx.db.deploymentRun.findUniqueOrThrow({ where: { id: run.id }, include: { followUps: true } });
}

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => null,
    (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
  );

describe("a succeeded deploy", () => {
  it("gets its environment's follow-ups, due from when it finished on the environment's calendar", async () => {
    await setFollowUpTimeZone(fx.admin, { environmentId: fx.production.id, timeZone: "Europe/Berlin" });
    const run = await finished((await release()).id, "SUCCEEDED");
    expect(run.followUps.map((f) => f.label)).toEqual(DEFAULT_FOLLOW_UPS.map((f) => f.label));
    for (const item of run.followUps)
      expect(item.dueAt.toISOString()).toBe(followUpDueAt(run.finishedAt!, item.due, "Europe/Berlin").toISOString());
  });

  it.each([
    ["a failed deploy", () => release().then((r) => finished(r.id, "FAILED"))],
    ["a dry run", () => release().then((r) => finished(r.id, "SUCCEEDED", { dryRun: true }))],
    [
      "a deploy to an environment without follow-ups",
      () => release(fx.staging.id).then((r) => finished(r.id, "SUCCEEDED", { environmentId: fx.staging.id })),
    ],
  ])("and none for %s", async (_, make) => {
    expect((await make()).followUps).toEqual([]);
  });
});

describe("ticking", () => {
  it("records who, when and the evidence, once; the audit log has it", async () => {
    const run = await finished((await release()).id, "SUCCEEDED");
    const [first, second] = run.followUps;
    await tickFollowUp(fx.releaseManager, {
      itemId: first.id,
      evidenceUrl: "https://grafana.example/d/checkout",
      note: "p95 flat",
    });
    const ticked = await fx.db.followUpItem.findUniqueOrThrow({ where: { id: first.id } });
    expect(ticked).toMatchObject({
      checkedById: fx.releaseManager.id,
      evidenceUrl: "https://grafana.example/d/checkout",
      note: "p95 flat",
    });
    expect(await refusal(tickFollowUp(fx.onCall, { itemId: first.id, note: "" }))).toEqual({
      code: "CONFLICT",
      message: "Riley Morgan already ticked this follow-up.",
    });
    const audit = await fx.db.auditLog.findFirstOrThrow({
      where: { action: "follow_up.tick", targetId: run.releaseId! },
    });
    expect(audit.actorId).toBe(fx.releaseManager.id);

    // Two people at once: exactly one tick lands.
    const outcomes = await Promise.allSettled([
      tickFollowUp(fx.onCall, { itemId: second.id, note: "" }),
      tickFollowUp(fx.releaseManager, { itemId: second.id, note: "" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
  });

  it("is for release managers, on-call and admins only", async () => {
    const run = await finished((await release()).id, "SUCCEEDED");
    for (const person of [fx.viewer, await approver()])
      expect((await refusal(tickFollowUp(person, { itemId: run.followUps[0].id, note: "" })))?.code).toBe("FORBIDDEN");
    expect(await fx.db.followUpItem.count({ where: { runId: run.id, checkedAt: { not: null } } })).toBe(0);
  });

  it("refuses bad input before anything is read", () => {
    expect(tickFollowUpSchema.safeParse({ itemId: "x", evidenceUrl: "javascript:alert(1)" }).success).toBe(false);
    expect(tickFollowUpSchema.safeParse({ itemId: "x", note: "a".repeat(1001) }).success).toBe(false);
  });
});

async function approver(): Promise<CurrentUser> {
  const { loadUser } = await import("@/lib/auth/current-user");
  const user = await fx.db.user.findUniqueOrThrow({ where: { email: "cto@greenlight.local" } });
  return (await loadUser(user.id))!;
}

describe("a newer deploy or a rollback", () => {
  it("closes the open follow-ups of the version it replaced; ticked ones stay ticked", async () => {
    const older = await finished((await release()).id, "SUCCEEDED");
    await tickFollowUp(fx.onCall, { itemId: older.followUps[0].id, note: "" });
    const newer = await finished((await release()).id, "SUCCEEDED");
    const newerRelease = await fx.db.release.findUniqueOrThrow({ where: { id: newer.releaseId! } });
    const olderItems = await fx.db.followUpItem.findMany({ where: { runId: older.id }, orderBy: { position: "asc" } });
    expect(olderItems[0]).toMatchObject({ closedAt: null });
    expect(olderItems[0].checkedAt).not.toBeNull();
    for (const item of olderItems.slice(1))
      expect(item.closedReason).toBe(`Closed: R-${newerRelease.number} replaced this version.`);
    expect(await refusal(tickFollowUp(fx.onCall, { itemId: olderItems[1].id, note: "" }))).toEqual({
      code: "CONFLICT",
      message: `Closed: R-${newerRelease.number} replaced this version. Nothing to tick.`,
    });

    await finished(null, "SUCCEEDED", { kind: "ROLLBACK" });
    const newerItems = await fx.db.followUpItem.findMany({ where: { runId: newer.id } });
    expect(newerItems.every((i) => i.closedReason === "Closed: the service was rolled back.")).toBe(true);
  });

  it("a failed rollback closes nothing", async () => {
    const deploy = await finished((await release()).id, "SUCCEEDED");
    await finished(null, "FAILED", { kind: "ROLLBACK" });
    expect(await fx.db.followUpItem.count({ where: { runId: deploy.id, closedAt: { not: null } } })).toBe(0);
  });
});

describe("overdue follow-ups", () => {
  it("are listed for the people who tick them, and sent to Slack once however many workers sweep", async () => {
    const deploy = await finished((await release()).id, "SUCCEEDED");
    const releaseRow = await fx.db.release.findUniqueOrThrow({ where: { id: deploy.releaseId! } });
    const [a, b] = deploy.followUps;
    await fx.db.followUpItem.updateMany({
      where: { id: { in: [a.id, b.id] } },
      data: { dueAt: new Date(Date.now() - 60_000) },
    });
    const listed = await overdueFollowUpsFor(fx.onCall);
    expect(listed.filter((i) => i.runId === deploy.id).map((i) => i.id)).toEqual([a.id, b.id]);
    expect(await overdueFollowUpsFor(fx.viewer)).toEqual([]);

    messages.length = 0;
    const sent = await Promise.all([notifyOverdueFollowUps(), notifyOverdueFollowUps(), notifyOverdueFollowUps()]);
    const mine = messages.filter((m) => m.includes(`R-${releaseRow.number} `));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toContain("2 follow-ups are overdue");
    expect(mine[0]).toContain(a.label);
    expect(sent.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(2);
    expect(await notifyOverdueFollowUps()).toBe(0);

    // Ticked, it leaves the list.
    await tickFollowUp(fx.releaseManager, { itemId: a.id, note: "" });
    expect((await overdueFollowUpsFor(fx.onCall)).map((i) => i.id)).not.toContain(a.id);
  });
});

describe("the template", () => {
  it("is edited by admins only, each change audited, and applies to the next deploy", async () => {
    const added = await addFollowUpTemplateItem(fx.admin, {
      environmentId: fx.staging.id,
      label: "Staging smoke suite re-run",
      due: "FIRST_HOUR",
    });
    expect((await refusal(addFollowUpTemplateItem(fx.releaseManager, { ...added, label: "x y z" })))?.code).toBe(
      "FORBIDDEN",
    );
    const run = await finished((await release(fx.staging.id)).id, "SUCCEEDED", { environmentId: fx.staging.id });
    expect(run.followUps.map((f) => f.label)).toEqual(["Staging smoke suite re-run"]);
    await removeFollowUpTemplateItem(fx.admin, added.id);
    expect((await refusal(removeFollowUpTemplateItem(fx.admin, added.id)))?.code).toBe("NOT_FOUND");
    const actions = await fx.db.auditLog.findMany({
      where: { targetId: fx.staging.id, action: { startsWith: "follow_up_template." } },
      orderBy: { at: "asc" },
    });
    expect(actions.map((a) => a.action)).toEqual(["follow_up_template.add", "follow_up_template.remove"]);
    // The deploy keeps the copy it took.
    expect(await fx.db.followUpItem.count({ where: { runId: run.id } })).toBe(1);
  });

  it("takes only real time zones", () => {
    expect(followUpTimeZoneSchema.safeParse({ environmentId: "c1", timeZone: "Europe/Berlin" }).success).toBe(true);
    expect(followUpTimeZoneSchema.safeParse({ environmentId: "c1", timeZone: "Mars/Olympus" }).success).toBe(false);
  });
});
