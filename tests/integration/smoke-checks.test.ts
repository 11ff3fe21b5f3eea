/**
 * Smoke checks through the API server's pod and service proxy, on the sandbox (whose demo pods
 * answer /healthz with {"status":"ok"}, or "degraded" for a `bad` image) and on the real
 * kube-apiserver (where no pod can be reached: what it answers is checked as the refusal it is).
 * A failing check before the switch stops a blue-green deploy with the Service never moved;
 * after the switch it is a breach: traffic goes back (automatic rollback on) or stays, reported.
 */
import { randomBytes } from "node:crypto";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/lib/db";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { dryRunRelease } from "@/lib/deploy/commands/dry-run";
import { runSmokeChecks } from "@/lib/deploy/smoke/run";
import { deployTarget } from "@/lib/deploy/targets";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { seedDemo } from "@/tests/support/fixtures";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor, type TestCluster } from "@/tests/support/workloads";

vi.hoisted(() => {
  process.env.LOG_LEVEL = "silent";
});

let f: Awaited<ReturnType<typeof seedDemo>>;
const clusters = await testClusters();
const FINAL = ["SUCCEEDED", "FAILED", "ABORTED"];
const v = (n: string) => `registry.example.com/shop/web:${n}`;
const HEALTH = { name: "health", method: "GET" as const, path: "/healthz", jsonField: "status", jsonEquals: "ok" };

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
});

async function waitForRun(runId: string) {
  await waitFor(
    async () => FINAL.includes((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: runId } })).status),
    60_000,
  );
  return getDb().deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { events: { orderBy: { seq: "asc" } } },
  });
}

async function selectedColor(kubeConfig: KubeConfig, namespace: string) {
  const service = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedService({ namespace, name: "web" });
  return service.spec?.selector?.color;
}

describe.each(clusters)("smoke checks on the $name cluster", (cluster: TestCluster) => {
  let worker: RunWorker;
  const gateway = new ClusterGateway(cluster.kubeConfig, { timeoutMs: 5000 });

  beforeAll(async () => {
    worker = await startRunWorker({
      connectionString: process.env.DATABASE_URL!,
      gateway: () => gateway,
      leaseMs: 3000,
      concurrency: 2,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await removeWorkloads(cluster);
  });

  async function setup(options: { autoRollback?: boolean; strategy?: "BLUE_GREEN" | "ROLLING" | "CANARY" } = {}) {
    const strategy = options.strategy ?? "BLUE_GREEN";
    const suffix = randomBytes(3).toString("hex");
    const namespace = `smoke-${suffix}`;
    await createWorkload(cluster, namespace, strategy, v("1.0.0"), { replicas: strategy === "CANARY" ? 2 : 1 });
    const service = await getDb().service.create({
      data: {
        name: `smoke-${suffix}`,
        displayName: `Smoke ${suffix}`,
        targets: {
          create: {
            environmentId: f.staging.id,
            cluster: cluster.name,
            namespace,
            deploymentName: "web",
            containerName: "web",
            kubeServiceName: "web",
            defaultStrategy: strategy,
            autoRollback: options.autoRollback ?? true,
            canarySteps: [50, 100],
            canaryPauseSeconds: 1,
            smokeChecks: { create: [{ ...HEALTH, position: 0 }] },
          },
        },
      },
      include: { targets: { include: { smokeChecks: true } } },
    });
    const release = (image: string) =>
      createRelease(f.releaseManager, {
        serviceId: service.id,
        environmentId: f.staging.id,
        imageRef: image,
        strategy,
        changeSummary: `Ship ${image}.`,
        links: [],
      });
    const deploy = async (image: string) =>
      waitForRun((await requestDeploy(f.releaseManager, (await release(image)).id)).id);
    return { namespace, service, release, deploy, target: deployTarget(service.targets[0], service.name) };
  }

  it("a dry run lists the checks it would run, and sends none", async () => {
    const s = await setup();
    const plan = await dryRunRelease(f.releaseManager, (await s.release(v("2.0.0"))).id, () => gateway);
    const smoke = plan.steps.find((p) => p.step === "smoke-idle-color");
    expect(smoke?.message).toBe(
      "would run 1 smoke check before traffic on a ready pod of web-green: health (GET /healthz → 200, status = ok)",
    );
  });

  it.runIf(cluster.name === "sandbox")(
    "a good version passes before and after the switch; a bad one is stopped before the Service moves",
    async () => {
      const s = await setup();
      const good = await s.deploy(v("2.0.0"));
      expect(good.status).toBe("SUCCEEDED");
      const before = good.events.find((e) => e.step === "smoke-idle-color" && e.phase === "AFTER");
      expect(before?.message).toMatch(
        /^1 smoke check passed before traffic on pod web-green-\S+: health \(GET \/healthz\) answered 200 as expected$/,
      );
      const after = good.events.find((e) => e.step === "smoke-after-switch" && e.phase === "AFTER");
      expect(after?.message).toMatch(/passed after the switch on Service web/);
      expect(await selectedColor(cluster.kubeConfig, s.namespace)).toBe("green");

      const bad = await s.deploy(v("3.0.0-bad"));
      expect(bad.status).toBe("FAILED");
      const failure = bad.events.find((e) => e.step === "smoke-idle-color" && e.phase === "ERROR");
      expect(failure?.message).toMatch(
        /smoke check failed before traffic on pod web-blue-\S+: health \(GET \/healthz\) answered 200 with status = degraded, expected ok; body: \{"status":"degraded"/,
      );
      expect(bad.events.some((e) => e.step === "switch-traffic")).toBe(false);
      expect(bad.outcome).toMatch(/the Service never selected the new one\); the new colour was scaled to zero$/);
      // Checked through the Kubernetes API: the selector never left the good colour.
      expect(await selectedColor(cluster.kubeConfig, s.namespace)).toBe("green");
    },
  );

  it.runIf(cluster.name === "sandbox")(
    "after the switch a failing check is a breach: traffic goes back and an incident opens",
    async () => {
      const s = await setup();
      expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
      // The Service proxy fails (the API server answers 503), the pod proxy does not.
      cluster.faults!.set({ errorRate: 1, paths: /\/services\/web\/proxy/ });
      try {
        const run = await s.deploy(v("2.1.0"));
        expect(run.status).toBe("FAILED");
        expect(run.events.find((e) => e.step === "smoke-after-switch" && e.phase === "ERROR")?.message).toMatch(
          /smoke check failed after the switch on Service web: health \(GET \/healthz\) could not reach the pod: the API server answered 50[03]/,
        );
        expect(run.events.map((e) => `${e.step}:${e.phase}`)).toEqual(
          expect.arrayContaining(["switch-back-to-live:AFTER", "retire-idle-color:AFTER"]),
        );
        expect(await selectedColor(cluster.kubeConfig, s.namespace)).toBe("green");
        const incident = await getDb().incident.findFirst({ where: { serviceId: s.service.id } });
        expect(incident?.title).toMatch(/Automatic rollback/);
      } finally {
        cluster.faults!.clear();
      }
    },
  );

  it.runIf(cluster.name === "sandbox")(
    "with automatic rollback off, a failure after the switch is reported and traffic stays",
    async () => {
      const s = await setup({ autoRollback: false });
      cluster.faults!.set({ errorRate: 1, paths: /\/services\/web\/proxy/ });
      try {
        const run = await s.deploy(v("2.0.0"));
        expect(run.status).toBe("SUCCEEDED");
        expect(run.events.find((e) => e.step === "smoke-after-switch" && e.phase === "AFTER")?.message).toMatch(
          /automatic rollback is off for this service, so traffic stays on the new version/,
        );
        expect(await selectedColor(cluster.kubeConfig, s.namespace)).toBe("green");
      } finally {
        cluster.faults!.clear();
      }
    },
  );

  it.runIf(cluster.name === "sandbox")(
    "rolling: the first new pod is checked with the rollout held; a bad version is undone and unpaused",
    async () => {
      const s = await setup({ strategy: "ROLLING" });
      const good = await s.deploy(v("2.0.0"));
      expect(good.status).toBe("SUCCEEDED");
      expect(good.events.find((e) => e.step === "smoke-first-pod" && e.phase === "AFTER")?.message).toMatch(
        /^1 smoke check passed before the rollout goes on on pod web-\S+: .*; the rollout goes on$/,
      );
      expect(good.events.some((e) => e.step === "smoke-after-rollout" && e.phase === "AFTER")).toBe(true);

      const bad = await s.deploy(v("3.0.0-bad"));
      expect(bad.status).toBe("FAILED");
      expect(bad.events.find((e) => e.step === "smoke-first-pod" && e.phase === "ERROR")?.message).toMatch(
        /status = degraded, expected ok/,
      );
      expect(bad.events.some((e) => e.step === "wait-rollout")).toBe(false);
      const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
      await waitFor(async () => {
        const d = await apps.readNamespacedDeployment({ namespace: s.namespace, name: "web" });
        return d.spec?.template?.spec?.containers?.[0]?.image === v("2.0.0") && !d.spec?.paused;
      }, 20_000);
    },
  );

  it.runIf(cluster.name === "sandbox")(
    "canary: one canary pod is checked before the canary grows; a bad one is scaled to zero",
    async () => {
      const s = await setup({ strategy: "CANARY" });
      const bad = await s.deploy(v("2.0.0-bad"));
      expect(bad.status).toBe("FAILED");
      expect(bad.events.find((e) => e.step === "smoke-canary" && e.phase === "ERROR")?.message).toMatch(
        /smoke check failed before the canary grows on pod web-canary-\S+: .*status = degraded/,
      );
      expect(bad.events.some((e) => e.step === "traffic-steps")).toBe(false);
      const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
      const canary = await apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" });
      expect(canary.spec?.replicas).toBe(0);
      const stable = await apps.readNamespacedDeployment({ namespace: s.namespace, name: "web" });
      expect(stable.spec?.template?.spec?.containers?.[0]?.image).toBe(v("1.0.0"));

      const good = await s.deploy(v("2.1.0"));
      expect(good.status).toBe("SUCCEEDED");
      expect(good.events.some((e) => e.step === "smoke-after-promote" && e.phase === "AFTER")).toBe(true);
    },
  );

  it.runIf(cluster.name === "real")(
    "the pods cannot be reached from here: the deploy stops before the switch with what the API server said",
    async () => {
      const s = await setup();
      const run = await s.deploy(v("2.0.0"));
      expect(run.status).toBe("FAILED");
      expect(run.events.find((e) => e.step === "smoke-idle-color" && e.phase === "ERROR")?.message).toMatch(
        /^smoke check failed before traffic on pod web-green-\S+: health \(GET \/healthz\) /,
      );
      expect(run.events.some((e) => e.step === "switch-traffic")).toBe(false);
      expect(await selectedColor(cluster.kubeConfig, s.namespace)).toBe("blue");
    },
  );

  it("a pod without an address is the API server's refusal, not the pod's answer", async () => {
    const s = await setup();
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: s.namespace, labelSelector: "color=blue" });
    const pod = pods.items[0].metadata!.name!;
    // As a pod that no node runs: no IP (the sandbox's kubelet and the fake one leave it alone once Failed).
    await core.patchNamespacedPodStatus(
      {
        namespace: s.namespace,
        name: pod,
        body: [
          { op: "replace", path: "/status/phase", value: "Failed" },
          { op: "remove", path: "/status/podIP" },
          { op: "remove", path: "/status/podIPs" },
        ],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    const result = await runSmokeChecks(
      { gateway, target: s.target, image: v("1.0.0"), dryRun: false, now: () => new Date() },
      { kind: "pods", name: pod },
      "before traffic",
    );
    expect(result).toMatchObject({ status: "failed" });
    expect(result.message).toBe(
      `smoke check failed before traffic on pod ${pod}: health (GET /healthz) could not reach the pod: the API server answered 400: address not allowed`,
    );
  });
});
