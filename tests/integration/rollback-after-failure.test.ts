/**
 * On-call presses Roll back right after a deploy failed half-way. For each strategy and each
 * point a deploy can fail at, the failed run leaves traffic safe by itself, and the rollback that
 * follows ends with the Service selecting only ready pods of the last good image, checked
 * through the Kubernetes API, on the sandbox and on the real API server.
 */
import { randomBytes } from "node:crypto";
import { type AppsV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { requestDeploy, requestRollback } from "@/lib/deploy/commands/requests";
import type { SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { seedDemo } from "@/tests/support/fixtures";
import { crashLoopKubelet, trafficVerdict } from "@/tests/support/fault-cases";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor, type TestCluster } from "@/tests/support/workloads";

let f: Awaited<ReturnType<typeof seedDemo>>;
const clusters = await testClusters();
const FINAL = ["SUCCEEDED", "FAILED", "ABORTED"];
const v = (n: string) => `registry.example.com/shop/web:${n}`;

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
});

async function waitForRun(runId: string, timeoutMs = 60_000) {
  await waitFor(
    async () => FINAL.includes((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: runId } })).status),
    timeoutMs,
  );
  return getDb().deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { events: { orderBy: { seq: "asc" } } },
  });
}

/** The gateway with one kind of call refused by the cluster (an admission webhook, RBAC…) while `when` says so. */
function refusing(
  gateway: ClusterGateway,
  method: "listPods" | "readDeployment",
  when: (args: unknown[]) => boolean,
): ClusterGateway {
  return new Proxy(gateway, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== method || typeof value !== "function")
        return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) =>
        when(args)
          ? Promise.resolve({
              ok: false,
              error: { type: "forbidden", status: 403, message: "denied by the test's admission policy" },
            })
          : value.apply(target, args);
    },
  });
}

describe.each(clusters)("rollback after a failed deploy on the $name cluster", (cluster: TestCluster) => {
  let worker: RunWorker;
  const base = new ClusterGateway(cluster.kubeConfig, { timeoutMs: 5000 });
  let gateway: ClusterGateway = base;
  let analysis: SliAnalysis | undefined;
  const namespaces: string[] = [];
  const kubelet = crashLoopKubelet(cluster.kubeConfig, namespaces);

  beforeAll(async () => {
    worker = await startRunWorker({
      connectionString: process.env.DATABASE_URL!,
      gateway: () => gateway,
      analysis: {
        evaluateStep: (...args) =>
          analysis
            ? analysis.evaluateStep(...args)
            : Promise.resolve({ verdict: "pass", summary: "no analysis in this test" }),
      },
      leaseMs: 3000,
      concurrency: 2,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await kubelet.stop();
    await removeWorkloads(cluster);
  });

  async function setup(strategy: "ROLLING" | "BLUE_GREEN" | "CANARY") {
    const suffix = randomBytes(3).toString("hex");
    const namespace = `rb-${strategy.toLowerCase().replace("_", "")}-${suffix}`;
    namespaces.push(namespace);
    const k8s = await createWorkload(cluster, namespace, strategy, v("1.0.0"));
    // A crash-looping pod must never count as available, and a stalled rollout fails quickly.
    for (const d of (await k8s.apps.listNamespacedDeployment({ namespace })).items) {
      await k8s.apps.patchNamespacedDeployment(
        { namespace, name: d.metadata!.name!, body: { spec: { minReadySeconds: 1, progressDeadlineSeconds: 4 } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    }
    const service = await getDb().service.create({
      data: {
        name: `rb-${suffix}`,
        displayName: `Rb ${suffix}`,
        targets: {
          create: {
            environmentId: f.staging.id,
            cluster: cluster.name,
            namespace,
            deploymentName: "web",
            containerName: "web",
            kubeServiceName: "web",
            defaultStrategy: strategy,
            canarySteps: [50, 100],
            canaryPauseSeconds: 1,
          },
        },
      },
    });
    const deploy = async (image: string) => {
      const release = await createRelease(f.releaseManager, {
        serviceId: service.id,
        environmentId: f.staging.id,
        imageRef: image,
        strategy,
        changeSummary: `Ship ${image}.`,
        links: [],
      });
      return waitForRun((await requestDeploy(f.releaseManager, release.id)).id);
    };
    const rollBack = async () =>
      waitForRun(
        (
          await requestRollback(
            f.onCall,
            { serviceId: service.id, environmentId: f.staging.id, reason: "errors after the last deploy" },
            () => base,
          )
        ).id,
      );
    const verdict = (good: string[]) => trafficVerdict(cluster.kubeConfig, namespace, "web", good);
    return { namespace, serviceId: service.id, apps: k8s.apps as AppsV1Api, core: k8s.core, deploy, rollBack, verdict };
  }

  it("blue-green failing before the switch (never ready): traffic stays, the failed colour is scaled to zero, the rollback puts the last good version back on it first", async () => {
    const s = await setup("BLUE_GREEN");
    expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
    const failed = await s.deploy(v("3.0.0-crashloop"));
    expect(failed.status).toBe("FAILED");
    expect(failed.outcome).toMatch(/traffic stayed on the live colour; the new colour was scaled to zero$/);
    expect(failed.events.map((e) => `${e.step}:${e.phase}`)).toContain("retire-idle-color:AFTER");
    expect(await s.verdict([v("2.0.0")])).toMatchObject({ safe: true });
    expect((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-blue" })).spec?.replicas).toBe(
      0,
    );

    const rollback = await s.rollBack();
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect(rollback.toImage).toBe(v("1.0.0"));
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
    expect(verdict.detail).toMatch(/color=blue/);
  });

  it("blue-green failing after the switch: it switches back by itself, and the rollback goes to the version before", async () => {
    const s = await setup("BLUE_GREEN");
    expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
    // The new colour (blue, now idle) cannot be verified: the cluster refuses to list its pods.
    gateway = refusing(base, "listPods", (args) => String(args[1]).includes("color=blue"));
    try {
      const failed = await s.deploy(v("3.0.0"));
      expect(failed.status).toBe("FAILED");
      expect(failed.events.map((e) => `${e.step}:${e.phase}`)).toEqual(
        expect.arrayContaining([
          "switch-traffic:AFTER",
          "verify-traffic:ERROR",
          "switch-back-to-live:AFTER",
          "verify-live:AFTER",
          "retire-idle-color:AFTER",
        ]),
      );
      expect(failed.outcome).toMatch(
        /traffic switched back to the previous colour; the new colour was scaled to zero$/,
      );
    } finally {
      gateway = base;
    }
    expect(await s.verdict([v("2.0.0")])).toMatchObject({ safe: true });

    const rollback = await s.rollBack();
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
  });

  it("canary failing its analysis: the canary goes to zero, stable untouched; the rollback restores the version before", async () => {
    const s = await setup("CANARY");
    expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
    analysis = { evaluateStep: async () => ({ verdict: "fail", summary: "error rate 7 % > 0.1 %" }) };
    try {
      const failed = await s.deploy(v("3.0.0"));
      expect(failed.status).toBe("FAILED");
      expect(failed.outcome).toMatch(/the canary was scaled to zero; all traffic on the stable Deployment$/);
    } finally {
      analysis = undefined;
    }
    expect(await s.verdict([v("2.0.0")])).toMatchObject({ safe: true });
    const rollback = await s.rollBack();
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
  });

  it("canary failing after stable took the new version: stable gets its previous pod template back by itself", async () => {
    const s = await setup("CANARY");
    expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
    // The first read of stable after it was promoted is refused: wait-stable fails.
    let promoted = false;
    let refused = false;
    gateway = new Proxy(base, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== "function") return value;
        if (property === "patchDeployment") {
          return (...args: unknown[]) => {
            if (args[1] === "web" && JSON.stringify(args[3]).includes("3.0.0")) promoted = true;
            return value.apply(target, args);
          };
        }
        if (property === "readDeployment") {
          return (...args: unknown[]) => {
            if (promoted && !refused && args[1] === "web") {
              refused = true;
              return Promise.resolve({
                ok: false,
                error: { type: "forbidden", status: 403, message: "denied by the test's admission policy" },
              });
            }
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    try {
      const failed = await s.deploy(v("3.0.0"));
      expect(failed.status).toBe("FAILED");
      expect(failed.events.map((e) => `${e.step}:${e.phase}`)).toEqual(
        expect.arrayContaining([
          "promote-stable:AFTER",
          "wait-stable:ERROR",
          "restore-stable:AFTER",
          "wait-stable-restored:AFTER",
          "retire-canary:AFTER",
        ]),
      );
      expect(failed.outcome).toMatch(/stable is back on its previous version and the canary was scaled to zero$/);
    } finally {
      gateway = base;
    }
    const stable = await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web" });
    expect(stable.spec?.template?.spec?.containers?.[0]?.image).toBe(v("2.0.0"));
    expect(await s.verdict([v("2.0.0")])).toMatchObject({ safe: true });

    // The rollback goes one version back from what is live (2.0.0), never to the failed 3.0.0.
    const rollback = await s.rollBack();
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
  });

  it("rolling failing its rollout: the previous version's template is restored by itself and the ReplicaSets reported; the rollback goes one version further back", async () => {
    const s = await setup("ROLLING");
    expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
    const failed = await s.deploy(v("3.0.0-crashloop"));
    expect(failed.status).toBe("FAILED");
    expect(failed.events.map((e) => `${e.step}:${e.phase}`)).toEqual(
      expect.arrayContaining([
        "wait-rollout:ERROR",
        "restore-previous-revision:AFTER",
        "wait-restored:AFTER",
        "report-replicasets:AFTER",
      ]),
    );
    const report = failed.events.find((e) => e.step === "report-replicasets" && e.phase === "AFTER");
    expect(report?.message).toMatch(/^live ReplicaSets: .*2\.0\.0: 2\/2 ready/);
    expect(failed.outcome).toMatch(/the previous version's pod template was restored and has rolled out$/);
    expect(await s.verdict([v("2.0.0")])).toMatchObject({ safe: true });

    const rollback = await s.rollBack();
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect(rollback.toImage).toBe(v("1.0.0"));
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
  });

  it("blue-green: a rollback whose previewed switch went stale (someone moved traffic meanwhile) never flips traffic twice", async () => {
    const s = await setup("BLUE_GREEN");
    expect((await s.deploy(v("2.0.0"))).status).toBe("SUCCEEDED");
    await worker.stop();
    let runId: string;
    try {
      runId = (
        await requestRollback(
          f.onCall,
          { serviceId: s.serviceId, environmentId: f.staging.id, reason: "errors after 2.0.0" },
          () => base,
        )
      ).id;
      // Someone switches to blue by hand before the worker gets to the run.
      await s.core.patchNamespacedService(
        { namespace: s.namespace, name: "web", body: { spec: { selector: { app: "web", color: "blue" } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } finally {
      worker = await startRunWorker({
        connectionString: process.env.DATABASE_URL!,
        gateway: () => gateway,
        leaseMs: 3000,
        concurrency: 2,
      });
    }
    const run = await waitForRun(runId);
    expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
    // Whether the worker switched on the request's reads (refused, then found blue already live)
    // or read the colours again (already serving 1.0.0), nothing switched back to green.
    expect(run.events.find((e) => e.step === "switch-back" && e.phase === "AFTER")?.message).toMatch(/selects blue/);
    expect(run.events.some((e) => /to green/.test(e.message))).toBe(false);
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
  });

  it("canary: a canary left serving is taken out by the rollback even when stable already runs the only good version", async () => {
    const s = await setup("CANARY");
    // A canary someone (or a run whose recovery failed) left taking traffic.
    await s.apps.patchNamespacedDeployment(
      {
        namespace: s.namespace,
        name: "web-canary",
        body: { spec: { replicas: 1, template: { spec: { containers: [{ name: "web", image: v("9.0.0") }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    await waitFor(
      async () =>
        ((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).status
          ?.readyReplicas ?? 0) === 1,
      20_000,
    );
    const rollback = await s.rollBack();
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).spec?.replicas).toBe(
      0,
    );
    const verdict = await s.verdict([v("1.0.0")]);
    expect(verdict.safe, verdict.detail).toBe(true);
  });
});
