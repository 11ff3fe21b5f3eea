/**
 * The four delivery metrics on a small history built by hand, where every figure can be worked
 * out on paper: each metric's value in the period and the period before, and the edge cases of
 * the definitions (a deploy aborted or failed before its traffic switch is not counted, a dry run
 * or a staging deploy is not production, a rollback after the next deploy is about the next one,
 * a rollback more than 24 h later does not count, recovery ends at the incident's restore or at
 * the next good version, whichever is first, and starts at the incident when it was opened first).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RunStatus } from "@/lib/generated/prisma/enums";
import { Prisma } from "@/lib/generated/prisma/client";
import { deliveryMetrics, metricsSql, weeklyDeploys, type MetricsRow } from "@/lib/history/metrics";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
let catalogId: string;
const t = (iso: string) => new Date(`${iso}Z`);
const H = 3600;
// The period: 10 days; the previous one is 2026-10-22 → 2026-11-01.
const from = t("2026-11-01T00:00:00");
const to = t("2026-11-11T00:00:00");
let rows: MetricsRow[];

let counter = 0;
async function release(serviceId: string, createdAt: string, committedAt?: string, environmentId = f.production.id) {
  counter++;
  return f.db.release.create({
    data: {
      serviceId,
      environmentId,
      imageRef: `registry.example.com/shop/app:1.0.${counter}`,
      imageRepository: "registry.example.com/shop/app",
      imageTag: `1.0.${counter}`,
      strategy: "ROLLING",
      changeSummary: "Delivery metrics fixture.",
      status: "DEPLOYED",
      createdById: f.releaseManager.id,
      createdAt: t(createdAt),
      commitSha: committedAt ? "0123456789abcdef0123456789abcdef01234567" : null,
      committedAt: committedAt ? t(committedAt) : null,
    },
  });
}

async function run(options: {
  kind?: "DEPLOY" | "ROLLBACK";
  serviceId?: string;
  environmentId?: string;
  releaseId?: string;
  status: RunStatus;
  started: string;
  finished: string;
  switched?: string | null;
  dryRun?: boolean;
}) {
  return f.db.deploymentRun.create({
    data: {
      kind: options.kind ?? "DEPLOY",
      status: options.status,
      serviceId: options.serviceId ?? f.checkout.id,
      environmentId: options.environmentId ?? f.production.id,
      releaseId: options.releaseId,
      strategy: "ROLLING",
      dryRun: options.dryRun ?? false,
      createdAt: t(options.started),
      startedAt: t(options.started),
      trafficSwitchedAt:
        options.switched === null ? null : t(options.switched ?? options.finished.replace(/:\d\d$/, ":00")),
      finishedAt: t(options.finished),
    },
  });
}

/** A deploy of a new release, traffic switched at its finish unless said otherwise. */
async function deploy(
  releaseCreated: string,
  started: string,
  finished: string,
  extra: Partial<Parameters<typeof run>[0]> & { committed?: string } = {},
) {
  const r = await release(extra.serviceId ?? f.checkout.id, releaseCreated, extra.committed, extra.environmentId);
  return run({ status: "SUCCEEDED", started, finished, releaseId: r.id, ...extra });
}

async function incident(causeRunId: string, opened: string, restored: string | null, resolved: string | null) {
  const created = await f.db.incident.create({
    data: {
      title: "Errors after a deploy",
      severity: "P2",
      status: resolved ? "RESOLVED" : "INVESTIGATING",
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      openedAt: t(opened),
      restoredAt: restored ? t(restored) : null,
      resolvedAt: resolved ? t(resolved) : null,
    },
  });
  await f.db.incidentRun.create({ data: { incidentId: created.id, runId: causeRunId, relation: "cause" } });
}

beforeAll(async () => {
  f = await seedDemo();
  catalogId = (await f.db.service.findUniqueOrThrow({ where: { name: "catalog" } })).id;

  // --- checkout, current period ---
  // D1: good; lead 34 h from the release, 38 h from the commit.
  await deploy("2026-11-01T00:00:00", "2026-11-02T09:30:00", "2026-11-02T10:00:00", {
    committed: "2026-10-31T20:00:00",
  });
  // D2: rolled back an hour later (failure; recovered when the rollback finished, 65 min).
  await deploy("2026-11-03T04:00:00", "2026-11-03T09:30:00", "2026-11-03T10:00:00");
  await run({ kind: "ROLLBACK", status: "SUCCEEDED", started: "2026-11-03T11:00:00", finished: "2026-11-03T11:05:00" });
  // Not production deploys: aborted before traffic, failed before traffic, a dry run, staging.
  await deploy("2026-11-04T01:00:00", "2026-11-04T09:00:00", "2026-11-04T09:10:00", {
    status: "ABORTED",
    switched: null,
  });
  await deploy("2026-11-04T01:00:00", "2026-11-04T10:00:00", "2026-11-04T10:10:00", {
    status: "FAILED",
    switched: null,
  });
  await deploy("2026-11-04T01:00:00", "2026-11-04T11:00:00", "2026-11-04T11:10:00", { dryRun: true, switched: null });
  await deploy("2026-11-04T01:00:00", "2026-11-04T12:00:00", "2026-11-04T12:10:00", {
    environmentId: f.staging.id,
  });
  // D4 then D5; the rollback comes after D5 started, so it is D5's failure, not D4's.
  await deploy("2026-11-05T08:00:00", "2026-11-05T09:30:00", "2026-11-05T10:00:00");
  await deploy("2026-11-05T12:00:00", "2026-11-05T13:30:00", "2026-11-05T14:00:00");
  await run({ kind: "ROLLBACK", status: "SUCCEEDED", started: "2026-11-05T15:00:00", finished: "2026-11-05T15:10:00" });
  // D6: an incident names it the cause; restored 1 h after the deploy, before the next good deploy.
  const d6 = await deploy("2026-11-06T10:00:00", "2026-11-07T09:30:00", "2026-11-07T10:00:00");
  await incident(d6.id, "2026-11-07T10:30:00", "2026-11-07T11:00:00", "2026-11-07T12:00:00");
  // D7: its incident was opened before the deploy finished (seen during the rollout) and is not
  // restored yet; the next good version (D8) served at 12:00: recovery 09:00 → 12:00.
  const d7 = await deploy("2026-11-08T06:00:00", "2026-11-08T08:30:00", "2026-11-08T10:00:00");
  await incident(d7.id, "2026-11-08T09:00:00", null, "2026-11-09T09:00:00");
  await deploy("2026-11-08T11:00:00", "2026-11-08T11:30:00", "2026-11-08T12:00:00");
  // D9: failed after its traffic switch (the engine put the previous version back): 20 min. It
  // never stayed live, so it has no lead time (release or commit).
  await deploy("2026-11-09T09:00:00", "2026-11-09T09:50:00", "2026-11-09T10:20:00", {
    status: "FAILED",
    switched: "2026-11-09T10:00:00",
    committed: "2026-11-09T08:00:00",
  });

  // --- catalog, current period: one deploy with an incident that is not restored ---
  const c1 = await deploy("2026-11-10T00:00:00", "2026-11-10T11:30:00", "2026-11-10T12:00:00", {
    serviceId: catalogId,
  });
  await incident(c1.id, "2026-11-10T13:00:00", null, null);

  // --- previous period ---
  // checkout: rolled back 23 h later (inside the 24 h window): failed, recovered in 23 h 10 min.
  await deploy("2026-10-29T10:00:00", "2026-10-30T09:30:00", "2026-10-30T10:00:00");
  await run({ kind: "ROLLBACK", status: "SUCCEEDED", started: "2026-10-31T09:00:00", finished: "2026-10-31T09:10:00" });
  // catalog: rolled back 26 h later, and an incident naming it the cause opened 25 h later (both
  // outside the window): not a failure.
  const c0 = await deploy("2026-10-23T10:00:00", "2026-10-25T09:30:00", "2026-10-25T10:00:00", {
    serviceId: catalogId,
  });
  await incident(c0.id, "2026-10-26T11:00:00", "2026-10-26T12:00:00", "2026-10-26T13:00:00");
  await run({
    kind: "ROLLBACK",
    serviceId: catalogId,
    status: "SUCCEEDED",
    started: "2026-10-26T12:00:00",
    finished: "2026-10-26T12:05:00",
  });

  rows = await deliveryMetrics(f.db, { from, to }, [f.checkout.id, catalogId]);
});

const row = (serviceId: string | null) => rows.find((r) => r.serviceId === serviceId)!;

describe("checkout, this period", () => {
  it("counts only production deploys that served traffic", () => {
    const m = row(f.checkout.id).current;
    expect(m.days).toBe(10);
    expect(m.deploys).toBe(8);
    expect(m.perDay).toBeCloseTo(0.8, 10);
    expect(m.perWeek).toBeCloseTo(5.6, 10);
    expect(m.frequencyBand).toBe("high");
  });

  it("lead time: the median from release creation, and separately from the commit, over deploys that ended live", () => {
    const m = row(f.checkout.id).current;
    // 1 h, 2 h, 2 h, 4 h, 6 h, 24 h, 34 h (not D9's 80 min: it failed after its switch) → 4 h
    expect(m.leadTimeSeconds).toBe(4 * H);
    expect(m.leadTimeBand).toBe("elite");
    expect(m.commitLeadTimeSeconds).toBe(38 * H);
    expect(m.commitLeadTimeDeploys).toBe(1);
  });

  it("change failure rate: rolled back within 24 h and before the next deploy, incident-linked, failed after traffic", () => {
    const m = row(f.checkout.id).current;
    // D2, D5 (not D4), D6, D7, D9
    expect(m.failures).toBe(5);
    expect(m.changeFailureRate).toBeCloseTo(5 / 8, 10);
    expect(m.changeFailureBand).toBe("low");
  });

  it("recovery time: to the first of the incident's restore and the next good version", () => {
    const m = row(f.checkout.id).current;
    // D9 20 min, D6 60 min (restored), D2 65 min, D5 70 min, D7 3 h (next good deploy) → 65 min
    expect(m.recoverySeconds).toBe(65 * 60);
    expect(m.recoveryBand).toBe("high");
    expect(m.recovered).toBe(5);
    expect(m.unrecovered).toBe(0);
  });
});

describe("the previous period", () => {
  it("checkout: a rollback 23 h after the deploy is a failure, recovered when it finished", () => {
    const m = row(f.checkout.id).previous;
    expect(m.from).toEqual(t("2026-10-22T00:00:00"));
    expect(m.to).toEqual(from);
    expect(m.deploys).toBe(1);
    expect(m.failures).toBe(1);
    expect(m.recoverySeconds).toBe(23 * H + 10 * 60);
    expect(m.leadTimeSeconds).toBe(24 * H);
  });

  it("catalog: a rollback 26 h and an incident 25 h after the deploy are not counted against it", () => {
    const m = row(catalogId).previous;
    expect(m.deploys).toBe(1);
    expect(m.failures).toBe(0);
    expect(m.changeFailureRate).toBe(0);
    expect(m.changeFailureBand).toBe("elite");
    expect(m.recoverySeconds).toBeNull();
  });
});

describe("overall", () => {
  it("adds the services up, and leaves an unrecovered failure out of the median", () => {
    const current = row(null).current;
    expect(rows[0].serviceId).toBeNull();
    expect(current.deploys).toBe(9);
    expect(current.failures).toBe(6);
    expect(current.changeFailureRate).toBeCloseTo(6 / 9, 10);
    // + catalog's 12 h: median of eight is (4 h + 6 h) / 2
    expect(current.leadTimeSeconds).toBe(5 * H);
    expect(current.recoverySeconds).toBe(65 * 60);
    expect(current.unrecovered).toBe(1);
    const previous = row(null).previous;
    expect(previous.deploys).toBe(2);
    expect(previous.failures).toBe(1);
    expect(previous.changeFailureRate).toBe(0.5);
    expect(previous.leadTimeSeconds).toBe(36 * H);
    expect(previous.recoverySeconds).toBe(23 * H + 10 * 60);
  });

  it("filters to one service", async () => {
    const [overall] = await deliveryMetrics(f.db, { from, to, service: "catalog" });
    expect(overall.current.deploys).toBe(1);
    expect(overall.current.failures).toBe(1);
    expect(overall.current.unrecovered).toBe(1);
  });

  it("lists a service with no deploys with zeros and no figures", async () => {
    const search = await f.db.service.findUniqueOrThrow({ where: { name: "search" } });
    const all = await deliveryMetrics(f.db, { from, to }, [f.checkout.id, catalogId, search.id]);
    const m = all.find((r) => r.serviceId === search.id)!.current;
    expect(m).toMatchObject({
      deploys: 0,
      perDay: 0,
      frequencyBand: "low",
      changeFailureRate: null,
      leadTimeSeconds: null,
    });
  });
});

describe("cost", () => {
  it("looks for the next good version only for failed deploys", async () => {
    const [explained] = await f.db.$queryRaw<{ "QUERY PLAN": unknown }[]>(
      Prisma.sql`explain (analyze, format json) ${metricsSql({ from, to })}`,
    );
    const probes: number[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== "object") return;
      const plan = node as Record<string, unknown>;
      if (plan.Alias === "g") probes.push(plan["Actual Loops"] as number);
      Object.values(plan).forEach(walk);
    };
    walk(explained["QUERY PLAN"]);
    // metricsSql is one period's statement; the previous period has its own
    const failed = [f.checkout.id, catalogId].reduce((sum, id) => sum + row(id).current.failures, 0);
    expect(failed).toBe(6);
    expect(probes).toEqual([failed]);
  });
});

describe("deploys per week by outcome", () => {
  it("splits the period's production deploys into succeeded, failed and rolled back", async () => {
    const weeks = await weeklyDeploys(f.db, { from, to });
    expect(weeks).toEqual([
      { week: t("2026-11-02T00:00:00"), succeeded: 3, failed: 2, rolledBack: 2 },
      { week: t("2026-11-09T00:00:00"), succeeded: 0, failed: 2, rolledBack: 0 },
    ]);
  });
});
