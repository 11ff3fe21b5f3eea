import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { prometheusAnalysis } from "@/lib/deploy/analysis/prometheus";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import { PrometheusGateway } from "@/lib/prometheus/client";
import type { LocalPrometheus } from "@/lib/prometheus/local-server";
import { createRelease } from "@/lib/releases/create-release";
import type { Sandbox } from "@greenlight/sandbox-cluster";
import { sloSummary } from "@/lib/slo/overview";
import { serviceSlis } from "@/lib/slo/service-slis";
import { seedDemo } from "@/tests/support/fixtures";
import { startLiveMetrics, type LiveMetrics } from "@/tests/support/live-metrics";
import { waitFor } from "@/tests/support/workloads";

// A real Prometheus scraping the sandbox's demo pods; canary steps judged from what it scraped.
let f: Awaited<ReturnType<typeof seedDemo>>;
let live: LiveMetrics;
let sandbox: Sandbox;
let prom: LocalPrometheus;
let worker: RunWorker;
let apps: AppsV1Api;

beforeAll(async () => {
  f = await seedDemo();
  // This file is about the canary's SLI analysis: the demo's smoke checks would stop a `bad`
  // version before it (tests/integration/smoke-checks.test.ts has those).
  await getDb().smokeCheck.deleteMany();
  await migrateJobQueue(process.env.DATABASE_URL!);
  live = await startLiveMetrics("analysis");
  ({ sandbox, prometheus: prom } = live);
  apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
  const gateway = new ClusterGateway(sandbox.kubeConfig());
  const metrics = new PrometheusGateway(prom.url, { cacheTtlMs: 1000 });
  worker = await startRunWorker({
    connectionString: process.env.DATABASE_URL!,
    gateway: () => gateway,
    analysis: prometheusAnalysis(metrics, {
      selectorFor: (t) => t.metricsSelector,
      minWindowSeconds: 15,
      minRequests: 30,
    }),
  });
  const search = await getDb().service.findUniqueOrThrow({ where: { name: "search" } });
  await getDb().serviceTarget.updateMany({
    where: { serviceId: search.id, environmentId: f.staging.id },
    data: { canarySteps: [25, 100], canaryPauseSeconds: 15 },
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await live?.stop();
});

async function deploySearch(version: string) {
  const search = await getDb().service.findUniqueOrThrow({ where: { name: "search" } });
  const release = await createRelease(f.releaseManager, {
    serviceId: search.id,
    environmentId: f.staging.id,
    imageRef: `registry.greenlight.local/shop/search:${version}`,
    strategy: "CANARY",
    changeSummary: `Search ${version} as a canary.`,
    links: [],
  });
  return requestDeploy(f.releaseManager, release.id);
}

async function finalRun(runId: string, states = ["SUCCEEDED", "FAILED", "ABORTED"]) {
  await waitFor(
    async () => states.includes((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: runId } })).status),
    90_000,
    250,
  );
  return getDb().deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { events: { orderBy: { seq: "asc" } } },
  });
}

const stableImage = async () =>
  (await apps.readNamespacedDeployment({ namespace: "shop-staging", name: "search" })).spec?.template?.spec
    ?.containers?.[0]?.image;
const canaryReplicas = async () =>
  (await apps.readNamespacedDeployment({ namespace: "shop-staging", name: "search-canary" })).spec?.replicas;

describe("canary analysis on a real Prometheus", () => {
  it("promotes a good canary after its step passes on measured SLIs", async () => {
    const run = await finalRun((await deploySearch("0.19.0")).id);
    expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
    const passed = run.events.find((e) =>
      /25 % step passed: 25 % step over 15s: Error rate \(5xx\) .* ≤ 0\.10 %/.test(e.message),
    );
    expect(passed, run.events.map((e) => e.message).join("\n")).toBeTruthy();
    expect(await stableImage()).toBe("registry.greenlight.local/shop/search:0.19.0");
  }, 120_000);

  it("detects the bad version and rolls the canary back by itself, recording the values", async () => {
    const run = await finalRun((await deploySearch("0.20.0-bad")).id);
    expect(run.status).toBe("FAILED");
    expect(run.outcome).toMatch(
      /canary failed its analysis at 25 %: .*Error rate \(5xx\) \d+(\.\d+)? % > 0\.10 %.*; the canary was scaled to zero/,
    );
    const failure = run.events.find((e) => e.phase === "ERROR" && e.step === "traffic-steps");
    expect(failure?.response).toMatchObject({ selector: expect.stringContaining('track="canary"') });
    expect(await canaryReplicas()).toBe(0);
    expect(await stableImage()).toBe("registry.greenlight.local/shop/search:0.19.0");
    // Checked while the pause ran: stopped before its 15 s pause was over, not after it.
    const paused = run.events.find((e) => /pausing 15 s/.test(e.message));
    expect(failure!.createdAt.getTime() - paused!.createdAt.getTime()).toBeLessThan(15_000);
    // An automatic rollback: an incident, already mitigated, and a marker on the charts.
    const incident = await getDb().incident.findFirstOrThrow({
      where: { source: "AUTO_ROLLBACK", events: { some: { runId: run.id } } },
      include: { events: true },
    });
    expect(incident).toMatchObject({ status: "MONITORING", severity: "P3" });
    expect(incident.summary).toMatch(
      /search:0\.20\.0-bad breached its SLIs: canary failed its analysis at 25 %: .*Greenlight scaled the canary to zero/,
    );
    const slis = await serviceSlis(run.serviceId, f.staging.id, "15m", new PrometheusGateway(prom.url));
    expect(slis.markers.map((m) => m.label)).toContain("canary rolled back automatically");
  }, 120_000);

  it("reads each service's availability SLO for the overview, and says unknown without Prometheus", async () => {
    const metrics = new PrometheusGateway(prom.url, { cacheTtlMs: 1000 });
    const checkout = await sloSummary('app="checkout",namespace="shop-staging"', metrics);
    expect(checkout).toMatchObject({ level: "ok", availability30d: 1, budgetRemaining: 1 });
    expect(await sloSummary('app="checkout"', null)).toMatchObject({
      level: "unknown",
      note: "Prometheus not configured",
    });
    expect(await sloSummary('app="x"}) or vector(1) #', metrics)).toMatchObject({
      level: "unknown",
      note: "no metrics selector",
    });
    const down = await sloSummary('app="checkout"', new PrometheusGateway("http://127.0.0.1:1"));
    expect(down.level).toBe("unknown");
  });

  it("pauses, and never promotes, when Prometheus stops answering mid-analysis", async () => {
    const requested = await deploySearch("0.21.0");
    await waitFor(async () => (await canaryReplicas()) === 1, 30_000);
    await prom.stop();
    const run = await finalRun(requested.id, ["PAUSED", "SUCCEEDED", "FAILED", "ABORTED"]);
    expect(run.status).toBe("PAUSED");
    expect(run.events.at(-1)?.message).toMatch(
      /analysis inconclusive at 25 %: Prometheus: Prometheus is unreachable.*Promote or abort/,
    );
    expect(await stableImage()).toBe("registry.greenlight.local/shop/search:0.19.0");
  }, 120_000);
});
