import { randomBytes } from "node:crypto";
import type { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { dryRunRelease } from "@/lib/deploy/commands/dry-run";
import { controlCanary, requestDeploy, requestRollback } from "@/lib/deploy/commands/requests";
import { executeRun } from "@/lib/deploy/engine/executor";
import { env } from "@/lib/env";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { startFaultProxy } from "@/tests/support/fault-proxy";
import { seedDemo } from "@/tests/support/fixtures";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor, type TestCluster } from "@/tests/support/workloads";

let f: Awaited<ReturnType<typeof seedDemo>>;
const clusters = await testClusters();

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
});

const FINAL = ["SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK"];

async function waitForRun(runId: string, timeoutMs = 45_000) {
  await waitFor(
    async () => FINAL.includes((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: runId } })).status),
    timeoutMs,
  );
  return getDb().deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { events: { orderBy: { seq: "asc" } } },
  });
}

describe.each(clusters)("deploy engine on the $name cluster", (cluster: TestCluster) => {
  let worker: RunWorker;
  const gateways = new Map<string, ClusterGateway>();
  const gatewayFor = (name: string) => {
    if (!gateways.has(name))
      gateways.set(
        name,
        new ClusterGateway(name === "unreachable" ? deadCluster(cluster) : cluster.kubeConfig, {
          timeoutMs: name === "unreachable" ? 500 : 5000,
        }),
      );
    return gateways.get(name)!;
  };

  beforeAll(async () => {
    worker = await startRunWorker({
      connectionString: process.env.DATABASE_URL!,
      gateway: gatewayFor,
      leaseMs: 3000,
      concurrency: 4,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await removeWorkloads(cluster);
  });

  /** A Greenlight service whose production target is a fresh namespace laid out for `strategy`. */
  async function setup(strategy: "ROLLING" | "BLUE_GREEN" | "CANARY") {
    const suffix = randomBytes(3).toString("hex");
    const namespace = `it-${strategy.toLowerCase().replace("_", "")}-${suffix}`;
    const k8s = await createWorkload(cluster, namespace, strategy, "registry.example.com/shop/web:1.0.0");
    const service = await getDb().service.create({
      data: {
        name: `web-${suffix}`,
        displayName: `Web ${suffix}`,
        targets: {
          create: {
            environmentId: f.staging.id,
            cluster: cluster.name,
            namespace,
            deploymentName: "web",
            containerName: "web",
            kubeServiceName: "web",
            defaultStrategy: strategy,
            canarySteps: [25, 50, 100],
            canaryPauseSeconds: 1,
          },
        },
      },
    });
    const release = (image: string) =>
      createRelease(f.releaseManager, {
        serviceId: service.id,
        environmentId: f.staging.id,
        imageRef: image,
        strategy,
        changeSummary: `Ship ${image} to production.`,
        links: [],
      });
    return { namespace, service, release, ...k8s };
  }

  async function image(apps: AppsV1Api, namespace: string, name: string) {
    return (await apps.readNamespacedDeployment({ namespace, name })).spec?.template?.spec?.containers?.[0]?.image;
  }
  async function selector(core: CoreV1Api, namespace: string) {
    return (await core.readNamespacedService({ namespace, name: "web" })).spec?.selector;
  }

  it("rolling: deploys, then rolls back to the previous revision", async () => {
    const s = await setup("ROLLING");
    const release = await s.release("registry.example.com/shop/web:1.1.0");
    const run = await waitForRun((await requestDeploy(f.releaseManager, release.id)).id);
    expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
    expect(run.events.map((e) => `${e.step}:${e.phase}`)).toEqual(
      expect.arrayContaining([
        "inspect:BEFORE",
        "inspect:AFTER",
        "set-image:BEFORE",
        "set-image:AFTER",
        "wait-rollout:AFTER",
      ]),
    );
    expect(run.fromImage).toBe("registry.example.com/shop/web:1.0.0");
    expect(run.trafficSwitchedAt).not.toBeNull();
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:1.1.0");
    expect((await getDb().release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe("DEPLOYED");

    const rollback = await waitForRun(
      (
        await requestRollback(
          f.onCall,
          { serviceId: s.service.id, environmentId: f.staging.id, reason: "errors after 1.1.0" },
          gatewayFor,
        )
      ).id,
    );
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:1.0.0");
    expect(rollback.toImage).toBe("registry.example.com/shop/web:1.0.0");
    expect((await getDb().release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe("ROLLED_BACK");
  });

  it("blue-green: deploys to the idle colour, switches the selector, and switches back on rollback", async () => {
    const s = await setup("BLUE_GREEN");
    const release = await s.release("registry.example.com/shop/web:2.0.0");
    const run = await waitForRun((await requestDeploy(f.releaseManager, release.id)).id);
    expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
    expect(await selector(s.core, s.namespace)).toMatchObject({ color: "green" });
    expect(await image(s.apps, s.namespace, "web-green")).toBe("registry.example.com/shop/web:2.0.0");
    expect(await image(s.apps, s.namespace, "web-blue")).toBe("registry.example.com/shop/web:1.0.0");
    const blue = await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-blue" });
    expect(blue.spec?.replicas).toBe(2);
    expect(run.rollbackTarget).toMatchObject({ strategy: "BLUE_GREEN", color: "blue" });

    const rollback = await waitForRun(
      (
        await requestRollback(
          f.onCall,
          { serviceId: s.service.id, environmentId: f.staging.id, reason: "checkout errors" },
          gatewayFor,
        )
      ).id,
    );
    expect(rollback.status, rollback.outcome ?? "").toBe("SUCCEEDED");
    expect(await selector(s.core, s.namespace)).toMatchObject({ color: "blue" });
    expect(rollback.trafficSwitchedAt!.getTime()).toBeGreaterThanOrEqual(rollback.createdAt.getTime());

    // A second rollback must not put the bad version back: the button refuses before any run starts.
    await expect(
      requestRollback(
        f.onCall,
        { serviceId: s.service.id, environmentId: f.staging.id, reason: "pressed twice" },
        gatewayFor,
      ),
    ).rejects.toThrow(
      /^Nothing to roll back to: registry.example.com\/shop\/web:1.0.0, the last good version, is already live; the other candidate, registry.example.com\/shop\/web:2.0.0, was rolled back\.$/,
    );
    expect(await selector(s.core, s.namespace)).toMatchObject({ color: "blue" });
  });

  it("canary: steps through the shares and promotes to stable", async () => {
    const s = await setup("CANARY");
    const release = await s.release("registry.example.com/shop/web:3.0.0");
    const run = await waitForRun((await requestDeploy(f.releaseManager, release.id)).id, 60_000);
    expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
    expect(
      run.events.filter((e) => /canary at \d+ %/.test(e.message)).map((e) => e.message.match(/at (\d+) %/)![1]),
    ).toEqual(expect.arrayContaining(["25", "50"]));
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:3.0.0");
    expect((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).spec?.replicas).toBe(
      0,
    );
  });

  it("canary: a rollback with no earlier stable version says there is nothing to roll back to", async () => {
    const s = await setup("CANARY");
    await expect(
      requestRollback(
        f.onCall,
        { serviceId: s.service.id, environmentId: f.staging.id, reason: "nothing shipped yet" },
        gatewayFor,
      ),
    ).rejects.toThrow("Nothing to roll back to: Greenlight has no record of a good version of this service here yet.");
    expect(await getDb().deploymentRun.count({ where: { serviceId: s.service.id } })).toBe(0);
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:1.0.0");
  });

  it("canary: abort scales the canary to zero and leaves stable untouched", async () => {
    const s = await setup("CANARY");
    await getDb().serviceTarget.updateMany({ where: { serviceId: s.service.id }, data: { canaryPauseSeconds: 30 } });
    const release = await s.release("registry.example.com/shop/web:3.1.0");
    const requested = await requestDeploy(f.releaseManager, release.id);
    await waitFor(
      async () =>
        (await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).status
          ?.readyReplicas === 1,
      20_000,
    );
    await controlCanary(f.onCall, { runId: requested.id, action: "abort" });
    const run = await waitForRun(requested.id);
    expect(run.status).toBe("ABORTED");
    expect((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).spec?.replicas).toBe(
      0,
    );
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:1.0.0");
  });

  it("canary: a failing analysis scales the canary to zero and fails the run", async () => {
    const s = await setup("CANARY");
    const release = await s.release("registry.example.com/shop/web:3.2.0");
    await worker.stop();
    const run = await requestDeploy(f.releaseManager, release.id);
    const failing = { evaluateStep: async () => ({ verdict: "fail" as const, summary: "error rate 4.2 % > 0.1 %" }) };
    try {
      expect(await executeRun(run.id, { workerId: "analysis-test", gateway: gatewayFor, analysis: failing })).toBe(
        "finished",
      );
    } finally {
      worker = await startRunWorker({
        connectionString: process.env.DATABASE_URL!,
        gateway: gatewayFor,
        leaseMs: 3000,
        concurrency: 4,
      });
    }
    const finished = await waitForRun(run.id);
    expect(finished.status).toBe("FAILED");
    expect(finished.outcome).toMatch(
      /canary failed its analysis at 25 %: error rate 4.2 % > 0.1 %; the canary was scaled to zero/,
    );
    expect((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).spec?.replicas).toBe(
      0,
    );
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:1.0.0");
    const incident = await getDb().incident.findFirstOrThrow({ where: { events: { some: { runId: run.id } } } });
    expect(incident).toMatchObject({ source: "AUTO_ROLLBACK", status: "MONITORING" });
  });

  it("canary: a failing canary that cannot be scaled to zero opens an incident that is not mitigated", async () => {
    const s = await setup("CANARY");
    const release = await s.release("registry.example.com/shop/web:3.2.1");
    await worker.stop();
    const run = await requestDeploy(f.releaseManager, release.id);
    const failing = { evaluateStep: async () => ({ verdict: "fail" as const, summary: "error rate 9.9 % > 0.1 %" }) };
    // The cluster refuses to scale the canary down (an admission webhook, say).
    const real = gatewayFor(cluster.name);
    const refusing = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== "patchDeployment") return Reflect.get(target, property, receiver);
        return (
          namespace: string,
          name: string,
          type: string,
          body: { spec?: { replicas?: number } },
          options?: object,
        ) =>
          name.endsWith("-canary") && type === "merge" && body.spec?.replicas === 0
            ? Promise.resolve({
                ok: false,
                error: { type: "forbidden", status: 403, message: "admission webhook denied the request" },
              })
            : (target.patchDeployment as (...args: unknown[]) => unknown).call(
                target,
                namespace,
                name,
                type,
                body,
                options,
              );
      },
    });
    try {
      expect(await executeRun(run.id, { workerId: "refused-stop", gateway: () => refusing, analysis: failing })).toBe(
        "finished",
      );
    } finally {
      worker = await startRunWorker({
        connectionString: process.env.DATABASE_URL!,
        gateway: gatewayFor,
        leaseMs: 3000,
        concurrency: 4,
      });
    }
    const finished = await waitForRun(run.id);
    expect(finished.status).toBe("FAILED");
    expect(finished.outcome).toMatch(
      /^canary failed its analysis at 25 %: error rate 9.9 % > 0.1 %; then recovering failed at retire-canary: scaling web-canary to 0: .*admission webhook denied the request$/,
    );
    const incident = await getDb().incident.findFirstOrThrow({ where: { events: { some: { runId: run.id } } } });
    expect(incident).toMatchObject({ source: "AUTO_ROLLBACK", status: "INVESTIGATING" });
    expect(incident.summary).toMatch(/could not finish scaling the canary to zero, check it now/);
  });

  it("canary: a paused canary nobody answers is aborted at its deadline", async () => {
    const s = await setup("CANARY");
    const release = await s.release("registry.example.com/shop/web:3.3.0");
    await worker.stop();
    const run = await requestDeploy(f.releaseManager, release.id);
    const unsure = {
      evaluateStep: async () => ({ verdict: "inconclusive" as const, summary: "no data from Prometheus" }),
    };
    try {
      expect(await executeRun(run.id, { workerId: "pause-test", gateway: gatewayFor, analysis: unsure })).toBe(
        "paused",
      );
      expect((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("PAUSED");
      await getDb().deploymentRun.update({ where: { id: run.id }, data: { deadlineAt: new Date(Date.now() - 1000) } });
    } finally {
      worker = await startRunWorker({
        connectionString: process.env.DATABASE_URL!,
        gateway: gatewayFor,
        leaseMs: 3000,
        concurrency: 4,
      });
    }
    const finished = await waitForRun(run.id);
    expect(finished.status).toBe("ABORTED");
    expect((await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-canary" })).spec?.replicas).toBe(
      0,
    );
  });

  it("a run whose steps were all done when its worker died is only finished, not run again", async () => {
    const s = await setup("ROLLING");
    const release = await s.release("registry.example.com/shop/web:1.2.0");
    await worker.stop();
    const run = await requestDeploy(f.releaseManager, release.id);
    await getDb().deploymentRun.update({
      where: { id: run.id },
      data: {
        status: "RUNNING",
        currentStep: "done",
        leaseOwner: "dead#0",
        leaseExpiresAt: new Date(Date.now() - 1000),
        startedAt: new Date(),
      },
    });
    const untouchable = new Proxy({} as ClusterGateway, {
      get: () => () => {
        throw new Error("the cluster was touched");
      },
    });
    try {
      expect(await executeRun(run.id, { workerId: "finisher", gateway: () => untouchable })).toBe("finished");
    } finally {
      worker = await startRunWorker({
        connectionString: process.env.DATABASE_URL!,
        gateway: gatewayFor,
        leaseMs: 3000,
        concurrency: 4,
      });
    }
    expect((await getDb().deploymentRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("SUCCEEDED");
    expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:1.0.0");
  });

  it("dry run: shows the plan and the server-side answers without changing anything", async () => {
    const s = await setup("BLUE_GREEN");
    const release = await s.release("registry.example.com/shop/web:4.0.0");
    const before = await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-green" });
    const plan = await dryRunRelease(f.releaseManager, release.id, gatewayFor);
    expect(plan.steps.map((p) => p.step)).toEqual([
      "inspect",
      "prepare-idle-color",
      "smoke-idle-color",
      "switch-traffic",
      "smoke-after-switch",
    ]);
    expect(plan.steps.every((p) => p.status === "done")).toBe(true);
    expect(plan.steps[1].request).toMatchObject({
      spec: {
        replicas: 2,
        template: { spec: { containers: [{ name: "web", image: "registry.example.com/shop/web:4.0.0" }] } },
      },
    });
    const after = await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web-green" });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(await selector(s.core, s.namespace)).toMatchObject({ color: "blue" });
    expect(await getDb().deploymentRun.count({ where: { serviceId: s.service.id } })).toBe(0);
  });

  it("retries a write that lost a race (409) by reading the object again", async () => {
    const s = await setup("ROLLING");
    let writes = 0;
    class CountingGateway extends ClusterGateway {
      override replaceDeployment(...args: Parameters<ClusterGateway["replaceDeployment"]>) {
        writes += 1;
        return super.replaceDeployment(...args);
      }
    }
    const gateway = new CountingGateway(cluster.kubeConfig);
    let raced = false;
    const result = await gateway.updateDeployment(s.namespace, "web", async (d) => {
      if (!raced) {
        raced = true;
        // Someone else writes between our read and our write.
        await s.apps.patchNamespacedDeployment({
          namespace: s.namespace,
          name: "web",
          body: [{ op: "add", path: "/metadata/annotations/raced", value: "yes" }],
        });
      }
      d.metadata!.labels = { ...d.metadata!.labels, touched: "yes" };
      return d;
    });
    expect(result.ok, JSON.stringify(!result.ok && result.error)).toBe(true);
    expect(writes).toBe(2);
    const d = await s.apps.readNamespacedDeployment({ namespace: s.namespace, name: "web" });
    expect(d.metadata?.labels?.touched).toBe("yes");
    expect(d.metadata?.annotations?.raced).toBe("yes");
  });

  it("resumes a run whose worker died mid-way, from the step it was in", async () => {
    const s = await setup("BLUE_GREEN");
    const release = await s.release("registry.example.com/shop/web:5.0.0");
    // No pool worker for a moment: the run is executed by a worker of our own that dies.
    await worker.stop();
    const requested = await requestDeploy(f.releaseManager, release.id);
    const stop = new AbortController();
    const doomed = executeRun(requested.id, {
      workerId: "doomed-worker",
      gateway: gatewayFor,
      signal: stop.signal,
      leaseMs: 2000,
    });
    await waitFor(
      async () =>
        (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: requested.id } })).currentStep ===
        "wait-idle-ready",
      20_000,
      10,
    );
    stop.abort();
    expect(await doomed).toBe("interrupted");
    // A crash leaves its lease behind, expired.
    await getDb().deploymentRun.update({
      where: { id: requested.id },
      data: { leaseOwner: "doomed-worker", leaseExpiresAt: new Date(Date.now() - 1000) },
    });

    worker = await startRunWorker({
      connectionString: process.env.DATABASE_URL!,
      gateway: gatewayFor,
      leaseMs: 3000,
      concurrency: 4,
    });
    const run = await waitForRun(requested.id, 60_000);
    expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
    expect(run.events.some((e) => e.message.startsWith("resumed by worker") && e.step === "wait-idle-ready")).toBe(
      true,
    );
    // The step taken before the crash was not taken again.
    expect(run.events.filter((e) => e.step === "prepare-idle-color" && e.phase === "BEFORE")).toHaveLength(1);
    expect(await selector(s.core, s.namespace)).toMatchObject({ color: "green" });
  });

  it("turns 50 concurrent deploy requests into exactly one run", async () => {
    const s = await setup("ROLLING");
    const releases = await Promise.all(
      Array.from({ length: 5 }, (_, i) => s.release(`registry.example.com/shop/web:6.${i}.0`)),
    );
    const attempts = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => requestDeploy(f.releaseManager, releases[i % 5].id)),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const a of attempts) if (a.status === "rejected") expect(a.reason).toMatchObject({ code: "CONFLICT" });
    expect(attempts.some((a) => a.status === "rejected" && /already in progress/.test(String(a.reason.message)))).toBe(
      true,
    );
    const run = await waitForRun((won[0] as PromiseFulfilledResult<{ id: string }>).value.id);
    expect(run.status).toBe("SUCCEEDED");
    expect(await getDb().deploymentRun.count({ where: { serviceId: s.service.id } })).toBe(1);
  });

  it("answers concurrent deploy requests for one release with one run and conflicts, none failing", async () => {
    const s = await setup("ROLLING");
    const release = await s.release("registry.example.com/shop/web:6.9.0");
    const refusalsOf = (attempts: PromiseSettledResult<unknown>[]) =>
      attempts.flatMap((a) => (a.status === "rejected" ? [a.reason as { code?: string; message?: string }] : []));

    // Someone else holds the release (an edit or a deploy on another process): more requests
    // than the pool has connections are each refused while holding one, and working out their
    // sentence must not wait for a connection the pool no longer has.
    const holder = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select id from releases where id = $1 for update", [release.id]);
      const blocked = await Promise.allSettled(
        Array.from({ length: 2 * env().DATABASE_POOL_SIZE }, () => requestDeploy(f.releaseManager, release.id)),
      );
      expect(refusalsOf(blocked).map((r) => `${r.code}: ${r.message}`)).toEqual(
        blocked.map(() => expect.stringMatching(/^CONFLICT: .*someone is starting or editing this release/)),
      );
      await holder.query("rollback");
    } finally {
      await holder.end();
    }

    const attempts = await Promise.allSettled(
      Array.from({ length: 50 }, () => requestDeploy(f.releaseManager, release.id)),
    );
    expect(refusalsOf(attempts).filter((r) => r.code !== "CONFLICT")).toEqual([]);
    const won = attempts.filter((a) => a.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>[];
    expect(won).toHaveLength(1);
    expect((await waitForRun(won[0].value.id)).status).toBe("SUCCEEDED");
    expect(await getDb().deploymentRun.count({ where: { serviceId: s.service.id } })).toBe(1);
  });

  it("rides out cluster errors mid-run (fault proxy in front of the API server) and finishes", async () => {
    const s = await setup("ROLLING");
    // The run reaches the cluster through a fault-injecting proxy, so both clusters get the faults.
    const proxy = await startFaultProxy(cluster.kubeConfig);
    gateways.set("proxied", new ClusterGateway(proxy.kubeConfig, { timeoutMs: 5000 }));
    await getDb().serviceTarget.updateMany({ where: { serviceId: s.service.id }, data: { cluster: "proxied" } });
    try {
      const release = await s.release("registry.example.com/shop/web:8.0.0");
      // Every request about Deployments fails with a 500 or 503 for a while, as an API server
      // under pressure does, starting right after the run asked for the new image.
      const requested = await requestDeploy(f.releaseManager, release.id);
      await waitFor(
        async () =>
          (await getDb().deploymentRun.findUniqueOrThrow({ where: { id: requested.id } })).currentStep ===
          "wait-rollout",
        20_000,
        10,
      );
      proxy.set({ errorRate: 1, paths: /deployments/ });
      await waitFor(
        async () =>
          (await getDb().runEvent.count({
            where: { runId: requested.id, phase: "INFO", message: { contains: "unavailable" } },
          })) > 0,
        20_000,
        50,
      );
      proxy.clear();
      const run = await waitForRun(requested.id);
      expect(run.status, run.outcome ?? "").toBe("SUCCEEDED");
      expect(run.events.find((e) => /unavailable \(5\d\d\)/.test(e.message))?.step).toBe("wait-rollout");
      expect(await image(s.apps, s.namespace, "web")).toBe("registry.example.com/shop/web:8.0.0");
    } finally {
      gateways.delete("proxied");
      await proxy.stop();
    }
  });

  it("fails a run after its deadline with the cluster's error when the cluster does not answer", async () => {
    const s = await setup("ROLLING");
    // This service's target names a cluster whose API server address has nothing listening.
    await getDb().serviceTarget.updateMany({ where: { serviceId: s.service.id }, data: { cluster: "unreachable" } });
    const release = await s.release("registry.example.com/shop/web:7.0.0");
    const run = await requestDeploy(f.releaseManager, release.id);
    await getDb().deploymentRun.update({ where: { id: run.id }, data: { deadlineAt: new Date(Date.now() + 2500) } });
    const finished = await waitForRun(run.id);
    expect(finished.status).toBe("FAILED");
    expect(finished.outcome).toMatch(/deadline passed during inspect: reading Deployment web: (unavailable|timeout)/);
    expect(
      finished.events.some((e) => e.phase === "INFO" && /fetch failed|ECONNREFUSED|did not answer/.test(e.message)),
    ).toBe(true);
    expect((await getDb().release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe("FAILED");
  });
});

function deadCluster(cluster: TestCluster) {
  const kc = new (cluster.kubeConfig.constructor as new () => typeof cluster.kubeConfig)();
  kc.loadFromOptions({
    clusters: [{ name: "dead", server: "http://127.0.0.1:9", skipTLSVerify: true }],
    users: [{ name: "u", token: "x" }],
    contexts: [{ name: "dead", cluster: "dead", user: "u" }],
    currentContext: "dead",
  });
  return kc;
}
