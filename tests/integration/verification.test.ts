import http from "node:http";
import type { AddressInfo } from "node:net";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { prometheusAnalysis } from "@/lib/deploy/analysis/prometheus";
import type { SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import { controlCanary, requestDeploy, requestRollback } from "@/lib/deploy/commands/requests";
import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { PrometheusGateway } from "@/lib/prometheus/client";
import type { LocalPrometheus } from "@/lib/prometheus/local-server";
import { createRelease } from "@/lib/releases/create-release";
import type { Sandbox } from "@greenlight/sandbox-cluster";
import { serviceSlis } from "@/lib/slo/service-slis";
import { seedDemo } from "@/tests/support/fixtures";
import { startLiveMetrics, type LiveMetrics } from "@/tests/support/live-metrics";
import { waitFor } from "@/tests/support/workloads";

// The verification window after rolling and blue-green deploys, judged by a real Prometheus
// scraping the sandbox's demo pods (the `bad` tag answers about 20 % 5xx).
let f: Awaited<ReturnType<typeof seedDemo>>;
let live: LiveMetrics;
let sandbox: Sandbox;
let prom: LocalPrometheus;
let worker: RunWorker;
let apps: AppsV1Api;
let core: CoreV1Api;
let gateway: ClusterGateway;
let analysis: SliAnalysis;
const NS = "shop-staging";
// Slack's incoming webhook, played by a local server: what on-call would read.
const slack: string[] = [];
const webhook = http.createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    slack.push((JSON.parse(body) as { text: string }).text);
    response.writeHead(200).end("ok");
  });
});

beforeAll(async () => {
  f = await seedDemo();
  await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  process.env.SLACK_WEBHOOK_URL = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  await migrateJobQueue(process.env.DATABASE_URL!);
  live = await startLiveMetrics("verify");
  ({ sandbox, prometheus: prom } = live);
  apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
  core = sandbox.kubeConfig().makeApiClient(CoreV1Api);
  gateway = new ClusterGateway(sandbox.kubeConfig());
  const metrics = new PrometheusGateway(prom.url, { cacheTtlMs: 1000 });
  analysis = prometheusAnalysis(metrics, {
    selectorFor: (t) => t.metricsSelector,
    minWindowSeconds: 8,
    minRequests: 30,
    intervalMs: 2000,
  });
  worker = await startRunWorker({ connectionString: process.env.DATABASE_URL!, gateway: () => gateway, analysis });
  await getDb().serviceTarget.updateMany({ where: { environmentId: f.staging.id }, data: { verifyWindowSeconds: 20 } });
  // This file is about the SLIs after the switch: the demo's smoke checks would stop a `bad`
  // version before it (tests/integration/smoke-checks.test.ts has those).
  await getDb().smokeCheck.deleteMany();
}, 120_000);

afterAll(async () => {
  delete process.env.SLACK_WEBHOOK_URL;
  webhook.close();
  await worker?.stop();
  await live?.stop();
});

async function deploy(service: "checkout" | "catalog", version: string, strategy: "ROLLING" | "BLUE_GREEN") {
  const row = await getDb().service.findUniqueOrThrow({ where: { name: service } });
  const release = await createRelease(f.releaseManager, {
    serviceId: row.id,
    environmentId: f.staging.id,
    imageRef: `registry.greenlight.local/shop/${service}:${version}`,
    strategy,
    changeSummary: `${service} ${version}.`,
    links: [],
  });
  const run = await requestDeploy(f.releaseManager, release.id);
  await waitFor(
    async () => (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: run.id } })).status === "SUCCEEDED",
    60_000,
    200,
  );
  return { run, release, serviceId: row.id };
}

async function verificationEnds(runId: string) {
  await waitFor(
    async () => (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: runId } })).verification !== "VERIFYING",
    90_000,
    250,
  );
  return getDb().deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { events: { orderBy: { seq: "asc" } } },
  });
}

async function finishedRollbackAfter(serviceId: string, deployRunId: string) {
  const deployRun = await getDb().deploymentRun.findUniqueOrThrow({ where: { id: deployRunId } });
  let id = "";
  await waitFor(
    async () => {
      const rollback = await getDb().deploymentRun.findFirst({
        where: { serviceId, environmentId: f.staging.id, kind: "ROLLBACK", createdAt: { gt: deployRun.createdAt } },
      });
      id = rollback?.id ?? "";
      return rollback !== null && ["SUCCEEDED", "FAILED"].includes(rollback.status);
    },
    60_000,
    250,
  );
  return getDb().deploymentRun.findUniqueOrThrow({ where: { id } });
}

const image = async (name: string) =>
  (await apps.readNamespacedDeployment({ namespace: NS, name })).spec?.template?.spec?.containers?.[0]?.image;
const liveColor = async () =>
  (await core.readNamespacedService({ namespace: NS, name: "checkout" })).spec?.selector?.color;

describe("verification window on a real Prometheus", () => {
  it("a healthy rolling deploy is verified when its window ends", async () => {
    const { run } = await deploy("catalog", "2.10.0", "ROLLING");
    const verified = await verificationEnds(run.id);
    expect(verified.verification, verified.verificationNote ?? "").toBe("VERIFIED");
    expect(verified.verificationNote).toMatch(
      /^verified: the new version over \d+s: Error rate \(5xx\) 0\.000 % ≤ 0\.10 %/,
    );
    expect(verified.events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/watching error rate, P95 and P99 for 20 s; a breach rolls the service back automatically/),
    );
  }, 120_000);

  it("a bad rolling deploy is undone by itself, with why, an incident and a chart marker", async () => {
    const { run, release, serviceId } = await deploy("catalog", "2.11.0-bad", "ROLLING");
    const breached = await verificationEnds(run.id);
    expect(breached.verification).toBe("BREACHED");
    const breach = breached.events.find((e) => e.step === "verify-slis" && e.phase === "ERROR");
    expect(breach?.message).toMatch(
      /^breach: the new version over \d+s: Error rate \(5xx\) \d+(\.\d+)? % > 0\.10 %.*Rolling back automatically \(run \w+\)\.$/,
    );
    expect(breach?.response).toMatchObject({
      selector: 'app="catalog",namespace="shop-staging"',
      rules: expect.arrayContaining([expect.objectContaining({ sli: "error_rate", passed: false })]),
    });

    const rollback = await finishedRollbackAfter(serviceId, run.id);
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect(rollback.requestedById).toBeNull();
    expect(rollback.reason).toMatch(
      /^Automatic rollback: registry.greenlight.local\/shop\/catalog:2.11.0-bad breached its SLIs after the deploy: .*Error rate/,
    );
    expect(await image("catalog")).toBe("registry.greenlight.local/shop/catalog:2.10.0");
    expect((await getDb().release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe("ROLLED_BACK");

    const incident = await getDb().incident.findFirstOrThrow({
      where: { serviceId, source: "AUTO_ROLLBACK" },
      include: { events: { orderBy: { id: "asc" } } },
    });
    expect(incident).toMatchObject({
      severity: "P3",
      status: "MONITORING",
      title: "Automatic rollback of Catalog in Staging",
    });
    expect(incident.events.map((e) => [e.kind, e.step, e.runId])).toEqual([
      ["SLI_BREACH", "DETECT", run.id],
      ["ROLLBACK", "REMEDIATE", rollback.id],
      ["REMEDIATE", "REMEDIATE", rollback.id],
    ]);
    expect(incident.releaseId).toBe(release.id);
    const links = await getDb().incidentRun.findMany({
      where: { incidentId: incident.id },
      orderBy: { relation: "asc" },
    });
    expect(links.map((l) => [l.relation, l.runId])).toEqual([
      ["cause", run.id],
      ["remedy", rollback.id],
    ]);
    expect(await getDb().auditLog.count({ where: { action: "run.auto_rollback", targetId: rollback.id } })).toBe(1);
    const told = new RegExp(
      `^:rewind: Catalog in Staging is being rolled back automatically: the new version over \\d+s: Error rate .*\\(INC-${incident.number}\\)`,
    );
    await waitFor(async () => slack.some((t) => told.test(t)), 5000);

    const slis = await serviceSlis(serviceId, f.staging.id, "15m", new PrometheusGateway(prom.url));
    expect(slis.markers.map((m) => m.label)).toContain("automatic rollback 2.10.0");
  }, 150_000);

  it("a bad blue-green deploy switches back to the colour it replaced", async () => {
    const before = await liveColor();
    const { run, serviceId } = await deploy("checkout", "1.5.0-bad", "BLUE_GREEN");
    expect(await liveColor()).not.toBe(before);
    expect((await verificationEnds(run.id)).verification).toBe("BREACHED");
    const rollback = await finishedRollbackAfter(serviceId, run.id);
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect(await liveColor()).toBe(before);
  }, 150_000);

  it("with automatic rollback off, a breach is recorded and the version stays", async () => {
    const checkout = await getDb().service.findUniqueOrThrow({ where: { name: "checkout" } });
    await getDb().serviceTarget.updateMany({
      where: { serviceId: checkout.id, environmentId: f.staging.id },
      data: { autoRollback: false },
    });
    const { run } = await deploy("checkout", "1.6.0-bad", "BLUE_GREEN");
    const live = await liveColor();
    const breached = await verificationEnds(run.id);
    expect(breached.verification).toBe("BREACHED");
    expect(breached.events.at(-1)?.message).toMatch(
      /Automatic rollback is off for this service; roll back from the service page/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(
      await getDb().deploymentRun.count({
        where: { serviceId: checkout.id, kind: "ROLLBACK", createdAt: { gt: run.createdAt } },
      }),
    ).toBe(0);
    expect(await liveColor()).toBe(live);
  }, 150_000);

  it("a person's rollback during the window supersedes it, and no second rollback starts", async () => {
    const checkout = await getDb().service.findUniqueOrThrow({ where: { name: "checkout" } });
    await getDb().serviceTarget.updateMany({
      where: { serviceId: checkout.id, environmentId: f.staging.id },
      data: { autoRollback: true, verifyWindowSeconds: 60 },
    });
    // A bad version: were the person's rollback not seen, the window would roll back a second time.
    const { run } = await deploy("checkout", "1.7.0-bad", "BLUE_GREEN");
    const manual = await requestRollback(f.onCall, {
      serviceId: checkout.id,
      environmentId: f.staging.id,
      reason: "checking the rollback path",
    });
    const ended = await verificationEnds(run.id);
    expect(ended.verification).toBe("SUPERSEDED");
    expect(ended.verificationNote).toMatch(/a rollback by .* replaced this version before its window ended/);
    await waitFor(
      async () => (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: manual.id } })).status === "SUCCEEDED",
      30_000,
    );
    expect(
      await getDb().deploymentRun.count({
        where: { serviceId: checkout.id, kind: "ROLLBACK", createdAt: { gt: run.createdAt } },
      }),
    ).toBe(1);
  }, 150_000);

  it("a status label the series do not carry reads as no data, never as 0 % errors", async () => {
    const catalog = await getDb().service.findUniqueOrThrow({ where: { name: "catalog" } });
    const where = { serviceId: catalog.id, environmentId: f.staging.id };
    // Latency limits out of the way, so only the error rate could judge the bad version.
    await getDb().serviceTarget.updateMany({
      where,
      data: { statusLabel: "code", maxLatencyP95: 5, maxLatencyP99: 5 },
    });
    try {
      const { run } = await deploy("catalog", "2.13.0-bad", "ROLLING");
      const ended = await verificationEnds(run.id);
      expect(ended.verification, ended.verificationNote ?? "").toBe("UNVERIFIED");
      expect(ended.verificationNote).toMatch(
        /the window ended without a verdict \(the new version over \d+s: no data for Error rate \(5xx\)\); it was not rolled back/,
      );
      expect(ended.events.at(-1)?.phase).toBe("ERROR");
      await waitFor(
        async () =>
          slack.some((t) =>
            t.includes("catalog:2.13.0-bad) could not be verified: the window ended without a verdict"),
          ),
        5000,
      );
    } finally {
      await getDb().serviceTarget.updateMany({
        where,
        data: { statusLabel: "status", maxLatencyP95: null, maxLatencyP99: null },
      });
    }
  }, 150_000);

  it("a rollback never waits behind deploys holding every deploy slot through a canary pause", async () => {
    await worker.stop();
    worker = await startRunWorker({
      connectionString: process.env.DATABASE_URL!,
      gateway: () => gateway,
      analysis,
      concurrency: 1,
    });
    const search = await getDb().service.findUniqueOrThrow({ where: { name: "search" } });
    const release = await createRelease(f.releaseManager, {
      serviceId: search.id,
      environmentId: f.staging.id,
      imageRef: "registry.greenlight.local/shop/search:0.19.0",
      strategy: "CANARY",
      changeSummary: "Search as a slow canary.",
      links: [],
    });
    const canary = await requestDeploy(f.releaseManager, release.id);
    await waitFor(
      async () =>
        /pausing 60 s/.test(
          (await getDb().runEvent.findFirst({ where: { runId: canary.id }, orderBy: { seq: "desc" } }))?.message ?? "",
        ),
      30_000,
      200,
    );

    const catalog = await getDb().service.findUniqueOrThrow({ where: { name: "catalog" } });
    const rollback = await requestRollback(f.onCall, {
      serviceId: catalog.id,
      environmentId: f.staging.id,
      reason: "the only deploy slot is busy",
    });
    await waitFor(
      async () =>
        (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: rollback.id } })).status === "SUCCEEDED",
      20_000,
      100,
    );
    expect((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: canary.id } })).status).toBe("RUNNING");

    await controlCanary(f.onCall, { runId: canary.id, action: "abort" });
    await waitFor(
      async () => (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: canary.id } })).status === "ABORTED",
      30_000,
      200,
    );
  }, 150_000);

  it("a verification whose check was lost (its worker died) is picked up again and concludes", async () => {
    const { run } = await deploy("catalog", "2.12.0", "ROLLING");
    const removed = await getDb().$queryRaw<
      { id: string }[]
    >`select id from graphile_worker.remove_job(${`verify:${run.id}`})`;
    expect(removed).toHaveLength(1);
    await getDb().deploymentRun.update({ where: { id: run.id }, data: { updatedAt: new Date(Date.now() - 120_000) } });
    const ended = await verificationEnds(run.id);
    expect(ended.verification, ended.verificationNote ?? "").toBe("VERIFIED");
  }, 150_000);
});
