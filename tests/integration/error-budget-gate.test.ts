import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseGate } from "@/lib/approvals/gate";
import { overrideGate } from "@/lib/approvals/overrides";
import { confirmGateChange } from "@/lib/gate-changes/decide";
import { getDb } from "@/lib/db";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { PrometheusGateway } from "@/lib/prometheus/client";
import type { LocalPrometheus } from "@/lib/prometheus/local-server";
import { createRelease } from "@/lib/releases/create-release";
import { updateRelease } from "@/lib/releases/update-release";
import type { Sandbox } from "@greenlight/sandbox-cluster";
import { demoImage } from "@greenlight/sandbox-cluster/demo-seed";
import { updateEnvironmentSettings } from "@/lib/settings/environments";
import { seedDemo } from "@/tests/support/fixtures";
import { startLiveMetrics, type LiveMetrics } from "@/tests/support/live-metrics";
import { waitFor } from "@/tests/support/workloads";

// The error-budget gate on a real Prometheus scraping the sandbox's demo pods: catalog in
// staging really burns its budget (a "bad" image answers about 20 % 5xx), and requestDeploy asks
// the real releaseGate, through the app's own gateway (PROMETHEUS_URL), as the app does.
let f: Awaited<ReturnType<typeof seedDemo>>;
let live: LiveMetrics;
let sandbox: Sandbox;
let prom: LocalPrometheus;
let fast: PrometheusGateway;
const BUDGET_SPENT =
  /^The gate is not green: catalog has spent its error budget: \d{1,2}\.\d\d % available over 30 days against a 99\.95 % SLO; an admin can override with a reason\.$/;

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
  live = await startLiveMetrics("budget");
  ({ sandbox, prometheus: prom } = live);
  // Read once, on first use: nothing in this file asks for the app's gateway before this line.
  process.env.PROMETHEUS_URL = prom.url;
  fast = new PrometheusGateway(prom.url, { cacheTtlMs: 500 });
  await updateEnvironmentSettings(f.admin, {
    environmentId: f.staging.id,
    requiresApproval: false,
    authorMaySign: false,
    approvalTtlHours: 168,
    errorBudgetGate: true,
  });
}, 90_000);

afterAll(async () => {
  delete process.env.PROMETHEUS_URL;
  await live?.stop();
});

async function catalogRelease(version: string) {
  const catalog = await getDb().service.findUniqueOrThrow({ where: { name: "catalog" } });
  return createRelease(f.releaseManager, {
    serviceId: catalog.id,
    environmentId: f.staging.id,
    imageRef: demoImage("catalog", version),
    strategy: "ROLLING",
    changeSummary: `Catalog ${version} to staging.`,
    links: [],
  });
}

async function burnCatalogBudget() {
  const apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
  const deployment = await apps.readNamespacedDeployment({ namespace: "shop-staging", name: "catalog" });
  deployment.spec!.template.spec!.containers[0].image = demoImage("catalog", "2.9.1-bad");
  await apps.replaceNamespacedDeployment({ namespace: "shop-staging", name: "catalog", body: deployment });
}

describe("the error-budget deploy gate on a real Prometheus", () => {
  it("lets a release through while the budget is healthy, and says so when it cannot read it", async () => {
    const release = await catalogRelease("2.9.2");
    // Prometheus needs two scrapes of the pods before a rate exists.
    await waitFor(async () => (await releaseGate(release.id, { metrics: fast })).warnings.length === 0, 30_000, 500);
    expect(await releaseGate(release.id, { metrics: fast })).toMatchObject({ green: true, unmet: [], warnings: [] });
    const down = await releaseGate(release.id, { metrics: new PrometheusGateway("http://127.0.0.1:1") });
    expect(down).toMatchObject({ green: true, unmet: [] });
    expect(down.warnings).toEqual([
      expect.stringMatching(/^error budget unknown: Prometheus is unreachable.*; deploys are not blocked on it$/),
    ]);
  }, 40_000);

  it("refuses a deploy while the budget is spent; only an admin's override for the current revision lets it through", async () => {
    const release = await catalogRelease("2.9.3");
    await burnCatalogBudget();
    // The app's gateway (what requestDeploy asks) shares answers for 15 s, so it may see the burn a little later.
    await waitFor(
      async () => (await releaseGate(release.id)).unmet.some((u) => u.kind === "error-budget"),
      45_000,
      1000,
    );

    await expect(requestDeploy(f.releaseManager, release.id)).rejects.toThrow(BUDGET_SPENT);
    expect(await getDb().deploymentRun.count({ where: { releaseId: release.id } })).toBe(0);
    // A dead Prometheus never blocks, even with the budget spent.
    expect(await releaseGate(release.id, { metrics: new PrometheusGateway("http://127.0.0.1:1") })).toMatchObject({
      green: true,
    });

    const reason = "Fix for the 5xx spike itself; it cannot wait for the budget.";
    await expect(
      overrideGate(f.releaseManager, { releaseId: release.id, revision: 1, kind: "ERROR_BUDGET", reason }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      overrideGate(f.admin, { releaseId: release.id, revision: 2, kind: "ERROR_BUDGET", reason }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await getDb().gateOverride.count({ where: { releaseId: release.id } })).toBe(0);

    // An override waits for a second admin, then binds to its revision: an edit asks for a new one.
    const asked = await overrideGate(f.admin, { releaseId: release.id, revision: 1, kind: "ERROR_BUDGET", reason });
    expect((await releaseGate(release.id)).green).toBe(false);
    await confirmGateChange(f.secondAdmin, asked.pending.id);
    expect((await releaseGate(release.id)).green).toBe(true);
    await expect(
      overrideGate(f.admin, { releaseId: release.id, revision: 1, kind: "ERROR_BUDGET", reason }),
    ).rejects.toThrow(/already overrode the error budget for revision 1/);
    await updateRelease(f.releaseManager, {
      releaseId: release.id,
      expectedRevision: 1,
      imageRef: demoImage("catalog", "2.9.4"),
      strategy: "ROLLING",
      changeSummary: release.changeSummary,
      links: [],
    });
    await expect(requestDeploy(f.releaseManager, release.id)).rejects.toThrow(BUDGET_SPENT);
    const again = await overrideGate(f.admin, { releaseId: release.id, revision: 2, kind: "ERROR_BUDGET", reason });
    await confirmGateChange(f.secondAdmin, again.pending.id);

    const run = await requestDeploy(f.releaseManager, release.id);
    expect(run).toMatchObject({ kind: "DEPLOY", revision: 2, status: "QUEUED" });
    const audit = await getDb().auditLog.findMany({
      where: { action: "gate.override_error_budget", targetId: release.id },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => [a.actorId, a.after])).toEqual([
      [f.admin.id, { revision: 1, kind: "ERROR_BUDGET", reason }],
      [f.admin.id, { revision: 2, kind: "ERROR_BUDGET", reason }],
    ]);
  }, 60_000);

  it("blocks nothing, and warns of nothing, where the environment's switch is off", async () => {
    // No worker runs in this file: the previous test's queued run would hold the target.
    await getDb().deploymentRun.updateMany({
      where: { status: "QUEUED" },
      data: { status: "ABORTED", finishedAt: new Date(), outcome: "abandoned by the test" },
    });
    const release = await catalogRelease("2.9.5");
    expect((await releaseGate(release.id)).unmet.map((u) => u.kind)).toEqual(["error-budget"]);
    const { pending } = await updateEnvironmentSettings(f.admin, {
      environmentId: f.staging.id,
      requiresApproval: false,
      authorMaySign: false,
      approvalTtlHours: 168,
      errorBudgetGate: false,
    });
    // Switching the gate off waits for a second admin.
    expect((await releaseGate(release.id)).unmet.map((u) => u.kind)).toEqual(["error-budget"]);
    await confirmGateChange(f.secondAdmin, pending!.id);
    expect(await releaseGate(release.id)).toMatchObject({ green: true, unmet: [], warnings: [] });
    expect(await requestDeploy(f.releaseManager, release.id)).toMatchObject({ status: "QUEUED" });
  });
});
