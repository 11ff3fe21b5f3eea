/**
 * `npm run bench:rollback`: over 50 blue-green rollbacks, the time from the rollback request to
 * the Service selector switched (the run's traffic-switch instant), beside the same bare PATCH
 * made directly with client-node. Each rollback follows a deploy made through Greenlight (not
 * measured): a rollback goes to the last good version the deployment log knows, so ping-ponging
 * between two colours is (rightly) refused after the first. On the sandbox always; on a real API server too when
 * KUBECONFIG points at one. Ends with one line:
 *   rollback p50_ms=… p95_ms=… bare_patch_p95_ms=… ratio_p95=…
 */
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { loadUser } from "@/lib/auth/current-user";
import { requestDeploy, requestRollback } from "@/lib/deploy/commands/requests";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { startRunWorker } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { spawnSandbox, startBenchDatabase } from "./bench-support";
import { createWorkload, removeWorkloads, waitFor } from "@/tests/support/workloads";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const bench = await startBenchDatabase("bench");
const db = bench.db;
const onCall = (await loadUser((await db.user.findUniqueOrThrow({ where: { email: "oncall@greenlight.local" } })).id))!;
const releaseManager = (await loadUser(
  (await db.user.findUniqueOrThrow({ where: { email: "release.manager@greenlight.local" } })).id,
))!;
// Staging: deploys there need no sign-offs, so each round can ship a version to roll back from.
const staging = await db.environment.findUniqueOrThrow({ where: { name: "staging" } });

// SANDBOX_LOAD=off: the benchmark measures the API server, not the demo traffic.
const sandbox = await spawnSandbox(bench.tmp, { SANDBOX_LOAD: "off" });
const sandboxConfig = new KubeConfig();
sandboxConfig.loadFromFile(sandbox.kubeconfigPath);
// The real API server last: the closing line reports it whenever one is configured.
const clusters: { name: string; kubeConfig: KubeConfig }[] = [{ name: "sandbox", kubeConfig: sandboxConfig }];
if (process.env.KUBECONFIG) {
  const real = new KubeConfig();
  real.loadFromFile(process.env.KUBECONFIG);
  clusters.push({ name: "real", kubeConfig: real });
}
const gateways = new Map(clusters.map((c) => [c.name, new ClusterGateway(c.kubeConfig)]));
const worker = await startRunWorker({
  connectionString: bench.url,
  gateway: (name) => gateways.get(name)!,
  concurrency: 2,
});

let line = "";
for (const cluster of clusters) {
  const namespace = `bench-${Date.now().toString(36)}`;
  await createWorkload(cluster, namespace, "BLUE_GREEN", "registry.example.com/shop/web:1.0.0");
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  // Both colours running, on different versions, as after a blue-green deploy.
  await cluster.kubeConfig.makeApiClient((await import("@kubernetes/client-node")).AppsV1Api).patchNamespacedDeployment(
    {
      namespace,
      name: "web-green",
      body: {
        spec: {
          replicas: 2,
          template: { spec: { containers: [{ name: "web", image: "registry.example.com/shop/web:1.1.0" }] } },
        },
      },
    },
    setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
  );
  await waitFor(
    async () =>
      (await core.listNamespacedPod({ namespace, labelSelector: "app=web" })).items.filter((p) =>
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      ).length === 4,
    30_000,
  );
  const service = await db.service.create({
    data: {
      name: `bench-${cluster.name}-${namespace}`,
      displayName: `Bench ${cluster.name}`,
      targets: {
        create: {
          environmentId: staging.id,
          cluster: cluster.name,
          namespace,
          deploymentName: "web",
          containerName: "web",
          kubeServiceName: "web",
          defaultStrategy: "BLUE_GREEN",
        },
      },
    },
  });

  const finished = async (runId: string) => {
    let done = await db.deploymentRun.findUniqueOrThrow({ where: { id: runId } });
    while (!["SUCCEEDED", "FAILED", "ABORTED"].includes(done.status)) {
      await new Promise((r) => setTimeout(r, 10));
      done = await db.deploymentRun.findUniqueOrThrow({ where: { id: runId } });
    }
    return done;
  };
  let round = 0;
  const deployNext = async () => {
    round += 1;
    const release = await createRelease(releaseManager, {
      serviceId: service.id,
      environmentId: staging.id,
      imageRef: `registry.example.com/shop/web:2.${round}.0`,
      strategy: "BLUE_GREEN",
      changeSummary: "Benchmark round.",
      links: [],
    });
    const deployed = await finished((await requestDeploy(releaseManager, release.id)).id);
    if (deployed.status !== "SUCCEEDED")
      throw new Error(`deploy ${deployed.id} ended ${deployed.status}: ${deployed.outcome}`);
  };
  const rollback = async () => {
    await deployNext();
    const started = Date.now();
    const run = await requestRollback(
      onCall,
      { serviceId: service.id, environmentId: staging.id, reason: "benchmark" },
      (name) => gateways.get(name)!,
    );
    const requested = Date.now();
    const done = await finished(run.id);
    if (done.status !== "SUCCEEDED" || !done.trafficSwitchedAt)
      throw new Error(`rollback ${run.id} ended ${done.status}: ${done.outcome}`);
    phases.request.push(requested - started);
    phases.pickup.push(done.startedAt!.getTime() - requested);
    phases.worker.push(done.trafficSwitchedAt.getTime() - done.startedAt!.getTime());
    return done.trafficSwitchedAt.getTime() - started;
  };
  // Where the time goes: the request (reads, run row, job), the queue's pickup, the worker's switch.
  const phases = { request: [] as number[], pickup: [] as number[], worker: [] as number[] };
  for (let i = 0; i < 3; i++) await rollback();
  for (const values of Object.values(phases)) values.length = 0;
  const rollbacks: number[] = [];
  for (let i = 0; i < ROUNDS; i++) rollbacks.push(await rollback());

  const bare: number[] = [];
  let color = (await core.readNamespacedService({ namespace, name: "web" })).spec?.selector?.color ?? "blue";
  for (let i = 0; i < ROUNDS + 3; i++) {
    color = color === "blue" ? "green" : "blue";
    const started = performance.now();
    await core.patchNamespacedService(
      { namespace, name: "web", body: { spec: { selector: { app: "web", color } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    if (i >= 3) bare.push(performance.now() - started);
  }
  for (const [phase, values] of Object.entries(phases))
    process.stdout.write(
      `[${cluster.name}] ${phase}: p50 ${percentile(values, 50)} ms, p95 ${percentile(values, 95)} ms\n`,
    );
  const p50 = percentile(rollbacks, 50);
  const p95 = percentile(rollbacks, 95);
  const bareP95 = percentile(bare, 95);
  const goal = p95 < 1000 && p95 <= 1.5 * bareP95 + 50;
  line = `rollback cluster=${cluster.name} p50_ms=${p50.toFixed(0)} p95_ms=${p95.toFixed(0)} bare_patch_p95_ms=${bareP95.toFixed(1)} ratio_p95=${(p95 / bareP95).toFixed(2)}`;
  process.stdout.write(
    `[${cluster.name}] ${ROUNDS} rollbacks; goal (p95 < 1000 ms and ≤ 1.5 × bare + 50 ms = ${(1.5 * bareP95 + 50).toFixed(0)} ms): ${goal ? "met" : "NOT met"}\n[${cluster.name}] ${line}\n`,
  );
}

await worker.stop();
for (const cluster of clusters) await removeWorkloads(cluster);
sandbox.stop();
await bench.stop();
process.stdout.write(`${line}\n`);
