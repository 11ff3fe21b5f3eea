import { beforeAll, describe, expect, it } from "vitest";
import { LOG_CSV_HEADER, type LogEntry } from "@/lib/deploy/log";
import { exportLogCsv } from "@/lib/deploy/log-export";
import { deploymentLogPage, runDetail } from "@/lib/deploy/log-queries";
import type { RunStatus } from "@/lib/generated/prisma/enums";
import { parseLogQuery, type DeploymentLogQuery } from "@/lib/schemas/deployment-log";
import { seedDemo } from "@/tests/support/fixtures";

// Runs of services of this file's own, so whatever history the demo seed brings never mixes in.
let f: Awaited<ReturnType<typeof seedDemo>>;
let cto: { id: string; name: string };
let engLead: { id: string; name: string };
const serviceIds: Record<string, string> = {};
const base = new Date("2026-11-01T00:00:00.000Z");
const minutes = (n: number) => new Date(base.getTime() + n * 60_000);
const STATUSES: RunStatus[] = ["SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED", "ROLLED_BACK", "ABORTED"];
let releaseRunId: string;
let promotedRunId: string;
let abortedRunId: string;

async function createService(name: string) {
  const service = await f.db.service.create({ data: { name, displayName: `Log ${name}` } });
  serviceIds[name] = service.id;
  return service;
}

beforeAll(async () => {
  f = await seedDemo();
  const users = await f.db.user.findMany({ select: { id: true, name: true, email: true } });
  cto = users.find((u) => u.email.startsWith("cto@"))!;
  engLead = users.find((u) => u.email.startsWith("eng.lead@"))!;
  const alpha = await createService("log-alpha");
  await createService("log-bulk");

  // 120 runs of log-alpha, three to a minute (equal created_at: the id breaks the tie), every
  // tenth an automatic rollback; staging then production alternating.
  await f.db.deploymentRun.createMany({
    data: Array.from({ length: 120 }, (_, i) => {
      const rollback = i % 10 === 9;
      const at = minutes(Math.floor(i / 3));
      return {
        kind: rollback ? ("ROLLBACK" as const) : ("DEPLOY" as const),
        status: STATUSES[i % STATUSES.length],
        serviceId: alpha.id,
        environmentId: i % 2 ? f.production.id : f.staging.id,
        strategy: "CANARY" as const,
        fromImage: `shop/alpha:1.${i}.0`,
        toImage: `shop/alpha:1.${i + 1}.0`,
        requestedById: rollback ? null : f.releaseManager.id,
        reason: rollback ? "SLI breach: error rate 2.1 % > 0.1 %" : null,
        outcome: `run ${i}`,
        createdAt: at,
        startedAt: new Date(at.getTime() + 1_000),
        finishedAt: new Date(at.getTime() + 61_000),
      };
    }),
  });
  const runs = await f.db.deploymentRun.findMany({ where: { serviceId: alpha.id }, orderBy: { createdAt: "asc" } });
  promotedRunId = runs[30].id;
  abortedRunId = runs[60].id;
  // A person's promote and abort: entries of their own, at the time they asked.
  await f.db.runControl.createMany({
    data: [
      {
        runId: promotedRunId,
        action: "promote",
        requestedById: f.releaseManager.id,
        requestedAt: minutes(10.5),
        appliedAt: minutes(11),
        outcome: "succeeded: promoted to 100 %",
      },
      {
        runId: abortedRunId,
        action: "abort",
        requestedById: f.onCall.id,
        requestedAt: minutes(20.5),
        appliedAt: minutes(21),
        outcome: "aborted: canary scaled to zero",
      },
    ],
  });

  // A release at revision 2 deployed by a run: only approved, live sign-offs of revision 2 count.
  const release = await f.db.release.create({
    data: {
      serviceId: alpha.id,
      environmentId: f.production.id,
      imageRef: "shop/alpha:9.0.0",
      imageRepository: "shop/alpha",
      imageTag: "9.0.0",
      strategy: "CANARY",
      changeSummary: "Approvers in the log.",
      revision: 2,
      createdById: f.releaseManager.id,
    },
  });
  await f.db.approval.createMany({
    data: [
      { releaseId: release.id, revision: 2, role: "CTO", decision: "APPROVED", userId: cto.id },
      { releaseId: release.id, revision: 1, role: "ENGINEERING_LEAD", decision: "APPROVED", userId: engLead.id },
      {
        releaseId: release.id,
        revision: 2,
        role: "ENGINEERING_LEAD",
        decision: "APPROVED",
        userId: engLead.id,
        withdrawnAt: minutes(100),
      },
      {
        releaseId: release.id,
        revision: 2,
        role: "PRODUCT_LEAD",
        decision: "REJECTED",
        userId: engLead.id,
        comment: "no",
      },
    ],
  });
  const run = await f.db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status: "SUCCEEDED",
      releaseId: release.id,
      revision: 2,
      serviceId: alpha.id,
      environmentId: f.production.id,
      strategy: "CANARY",
      toImage: "shop/alpha:9.0.0",
      requestedById: f.releaseManager.id,
      createdAt: minutes(200),
      startedAt: minutes(200),
      finishedAt: minutes(203),
      events: {
        create: [
          { seq: 1, step: "set-canary", phase: "BEFORE", message: "scaling", request: { replicas: 1 } },
          { seq: 2, step: "set-canary", phase: "AFTER", message: "scaled", response: { ready: 1 } },
          { seq: 3, step: "analyze", phase: "INFO", message: "step passed", response: { errorRate: 0.0001 } },
        ],
      },
    },
  });
  releaseRunId = run.id;
  const incident = await f.db.incident.create({
    data: { title: "Alpha errors", severity: "P2", serviceId: alpha.id, environmentId: f.production.id },
  });
  await f.db.incidentRun.create({ data: { incidentId: incident.id, runId: run.id, relation: "cause" } });
  const other = await f.db.incident.create({ data: { title: "Alpha latency", severity: "P3" } });
  await f.db.incidentEvent.create({
    data: { incidentId: other.id, kind: "DEPLOY", step: "DETECT", message: "deploy", runId: run.id },
  });
});

/** Every entry of a filter, walking the Older links from the first page. */
async function walkOlder(query: DeploymentLogQuery, pageSize = 50) {
  const pages: LogEntry[][] = [];
  let page = await deploymentLogPage(query, pageSize);
  pages.push(page.entries);
  expect(page.newer).toBeNull();
  while (page.older) {
    page = await deploymentLogPage({ ...query, before: page.older }, pageSize);
    pages.push(page.entries);
    expect(page.newer).not.toBeNull();
  }
  return pages;
}

const byKey = (a: LogEntry, b: LogEntry) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe("the deployment log", () => {
  it("lists runs and a person's promote/abort, newest first, across pages without gaps or repeats", async () => {
    const pages = await walkOlder({ service: "log-alpha" });
    const all = pages.flat();
    // 120 + the release's run + 2 controls.
    expect(pages.map((p) => p.length)).toEqual([50, 50, 23]);
    expect(new Set(all.map((e) => e.id)).size).toBe(123);
    expect(all).toEqual([...all].sort(byKey));
    expect(all.filter((e) => e.source === "control").map((e) => e.kind)).toEqual(["abort", "promote"]);
  });

  it("pages by equal times too, and walks back to the same pages", async () => {
    // Pages of 7 break inside groups of runs created in the same millisecond.
    const pages = await walkOlder({ service: "log-alpha", kind: "deploy" }, 7);
    const all = pages.flat();
    expect(all).toHaveLength(109);
    expect(new Set(all.map((e) => e.id)).size).toBe(109);
    expect(all).toEqual([...all].sort(byKey));
    // Newer from the last page gives the previous pages back, then the first page, full.
    let index = pages.length - 1;
    let cursor = { at: pages[index][0].at, id: pages[index][0].id };
    while (index > 0) {
      const page = await deploymentLogPage({ service: "log-alpha", kind: "deploy", after: cursor }, 7);
      index -= 1;
      expect(page.entries.map((e) => e.id)).toEqual(pages[index].map((e) => e.id));
      if (index === 0) expect(page.newer).toBeNull();
      cursor = { at: page.entries[0].at, id: page.entries[0].id };
    }
  });

  it("shows a promote and an abort with who asked, when, the run and how it ended", async () => {
    const promote = await deploymentLogPage({ service: "log-alpha", kind: "promote" });
    expect(promote.entries).toHaveLength(1);
    expect(promote.entries[0]).toMatchObject({
      source: "control",
      kind: "promote",
      runId: promotedRunId,
      at: minutes(10.5),
      requestedBy: { name: f.releaseManager.name },
      status: STATUSES[30 % STATUSES.length],
      outcome: "succeeded: promoted to 100 %",
      finishedAt: minutes(11),
    });
    const abort = await deploymentLogPage({ service: "log-alpha", kind: "abort", person: f.onCall.id });
    expect(abort.entries.map((e) => [e.runId, e.requestedBy?.name])).toEqual([[abortedRunId, f.onCall.name]]);
  });

  it("filters by kind, person, outcome, environment and time", async () => {
    const entries = async (raw: Record<string, string>) => {
      const { query, errors } = parseLogQuery({ service: "log-alpha", ...raw });
      expect(errors).toEqual([]);
      return (await walkOlder(query)).flat();
    };
    const rollbacks = await entries({ kind: "rollback" });
    expect(rollbacks).toHaveLength(12);
    expect(rollbacks.every((e) => e.kind === "rollback" && e.requestedBy === null)).toBe(true);
    expect((await entries({ person: "automatic" })).map((e) => e.id)).toEqual(rollbacks.map((e) => e.id));

    const byManager = await entries({ person: f.releaseManager.id });
    expect(byManager).toHaveLength(108 + 1 + 1);
    expect(byManager.every((e) => e.requestedBy?.id === f.releaseManager.id)).toBe(true);

    const failed = await entries({ outcome: "FAILED" });
    expect(failed).toHaveLength(20);
    expect(failed.every((e) => e.status === "FAILED")).toBe(true);

    const staging = await entries({ environment: "staging" });
    expect(staging.every((e) => e.environment.name === "staging")).toBe(true);
    expect(staging.filter((e) => e.source === "run")).toHaveLength(60);

    // Minutes 10 to 20 inclusive: runs 30..62 and both controls.
    const window = await entries({ from: "2026-11-01T00:10", to: "2026-11-01T00:20:30" });
    expect(window.filter((e) => e.source === "run")).toHaveLength(33);
    expect(window.filter((e) => e.source === "control").map((e) => e.kind)).toEqual(["abort", "promote"]);

    expect(await entries({ service: "no-such-service" })).toEqual([]);
    expect(await entries({ kind: "deploy", person: "automatic" })).toEqual([]);
  });

  it("names who approved the revision a run deployed", async () => {
    const { entries } = await deploymentLogPage({ service: "log-alpha", environment: "production" }, 1);
    expect(entries[0]).toMatchObject({
      id: releaseRunId,
      approvers: [{ name: cto.name, role: "CTO" }],
      release: { revision: 2 },
    });
    const automatic = await deploymentLogPage({ service: "log-alpha", kind: "rollback" }, 1);
    expect(automatic.entries[0].approvers).toEqual([]);
  });
});

describe("a run's page", () => {
  it("has its steps in order, its release's sign-offs and its incidents", async () => {
    const detail = (await runDetail(releaseRunId))!;
    expect(detail.entry.approvers).toEqual([{ name: cto.name, role: "CTO" }]);
    expect(detail.events.map((e) => [e.seq, e.step, e.phase])).toEqual([
      [1, "set-canary", "BEFORE"],
      [2, "set-canary", "AFTER"],
      [3, "analyze", "INFO"],
    ]);
    expect(detail.events[2].response).toEqual({ errorRate: 0.0001 });
    expect(detail.signOffs).toHaveLength(4);
    expect(detail.signOffs.filter((s) => s.forThisRun).map((s) => s.role)).toEqual([
      "CTO",
      "ENGINEERING_LEAD",
      "PRODUCT_LEAD",
    ]);
    expect(detail.incidents.map((i) => [i.title, i.relation])).toEqual([
      ["Alpha errors", "cause"],
      ["Alpha latency", "timeline"],
    ]);
    const promoted = (await runDetail(promotedRunId))!;
    expect(promoted.controls).toMatchObject([{ action: "promote", requestedBy: f.releaseManager.name }]);
    expect(await runDetail("no-such-run")).toBeNull();
  });
});

describe("the CSV export", () => {
  async function readAll(stream: ReadableStream<Uint8Array>) {
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }

  async function exportConnections() {
    const rows = await f.db.$queryRaw<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where application_name = 'greenlight log export'`;
    return rows[0].n;
  }

  it("streams every row of 5,000 runs, reading them in batches, and closes its connection", async () => {
    await f.db.$executeRaw`
      insert into deployment_runs (id, kind, status, service_id, environment_id, strategy, to_image,
                                   requested_by_id, created_at, started_at, finished_at, updated_at)
      select 'bulk' || lpad(g::text, 5, '0'), 'DEPLOY', 'SUCCEEDED', ${serviceIds["log-bulk"]}, ${f.staging.id}, 'ROLLING',
             'shop/bulk:' || g, ${f.releaseManager.id}, ${base}::timestamptz + g * interval '1 second',
             ${base}::timestamptz + g * interval '1 second', ${base}::timestamptz + g * interval '1 second' + interval '42 seconds', now()
        from generate_series(1, 5000) g`;
    const batches: number[] = [];
    const csv = await readAll(
      await exportLogCsv({ service: "log-bulk" }, { batchSize: 1000, onBatch: (n) => batches.push(n) }),
    );
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe(LOG_CSV_HEADER.join(","));
    expect(lines).toHaveLength(5001);
    expect(batches).toEqual([1000, 1000, 1000, 1000, 1000]);
    const first = Object.fromEntries(LOG_CSV_HEADER.map((h, i) => [h, lines[1].split(",")[i]]));
    expect(first).toMatchObject({
      run_id: "bulk05000",
      kind: "deploy",
      requested_at: "2026-11-01T01:23:20.000Z",
      duration_seconds: "42",
      requested_by: f.releaseManager.name,
      status: "SUCCEEDED",
    });
    expect(lines.at(-1)).toContain("bulk00001");
    expect(await exportConnections()).toBe(0);
  });

  it("exports the same filters as the page, quoting what needs it", async () => {
    const csv = await readAll(await exportLogCsv({ service: "log-alpha", kind: "rollback" }));
    const lines = csv.trimEnd().split("\n");
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).every((l) => l.includes(",rollback,") && l.includes("Greenlight (automatic)"))).toBe(true);
    // The reason has a comma-free text but a percent sign and colon: kept as written.
    expect(lines[1]).toContain("SLI breach: error rate 2.1 % > 0.1 %");
  });

  it("names the approvers of the revision each run deployed, as the page does (joined once for the export)", async () => {
    const filter = { service: "log-alpha", environment: "production" };
    const csv = await readAll(await exportLogCsv(filter));
    const lines = csv.trimEnd().split("\n").slice(1);
    const { entries } = await deploymentLogPage(filter, 1000);
    expect(lines).toHaveLength(entries.length);
    const withSignOff = lines.find((l) => l.startsWith(`${releaseRunId},`))!;
    expect(withSignOff).toContain(cto.name);
    // Only approved, live sign-offs of the revision that shipped: the same people as on the page.
    for (const [i, entry] of entries.entries())
      expect(entry.approvers.every((a) => lines[i].includes(a.name))).toBe(true);
    expect(lines.filter((l) => l.includes(cto.name))).toHaveLength(
      entries.filter((e) => e.approvers.some((a) => a.name === cto.name)).length,
    );
  });

  it("stops reading and frees its connection when the reader goes away", async () => {
    const controller = new AbortController();
    const batches: number[] = [];
    const stream = await exportLogCsv(
      { service: "log-bulk" },
      { batchSize: 100, signal: controller.signal, onBatch: (n) => batches.push(n) },
    );
    const reader = stream.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await expect.poll(exportConnections, { timeout: 5_000 }).toBe(0);
    expect(batches.length).toBeLessThan(50);
  });

  it("frees its connection when the download is cancelled before the first row was read", async () => {
    const controller = new AbortController();
    controller.abort();
    const stream = await exportLogCsv({ service: "log-bulk" }, { batchSize: 100, signal: controller.signal });
    await stream.cancel().catch(() => undefined);
    await expect.poll(exportConnections, { timeout: 5_000 }).toBe(0);
  });

  it("ends the download with an error when its database connection is lost, and the server lives on", async () => {
    const stream = await exportLogCsv({ service: "log-bulk" }, { batchSize: 100 });
    const reader = stream.getReader();
    await reader.read();
    // What a PostgreSQL restart or an administrator does to a long export.
    await f.db.$queryRaw`
      select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'greenlight log export'`;
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return "finished";
      })(),
    ).rejects.toThrow();
    await expect.poll(exportConnections, { timeout: 5_000 }).toBe(0);
  });
});
