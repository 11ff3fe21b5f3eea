/**
 * The fault suite (issue 9): on both clusters (the sandbox, and the real kube-apiserver when
 * K8S_TEST_KUBECONFIG is set), for each strategy and each step of its deploy plan, the worker is
 * killed mid-step, the run's deadline passes mid-step while the cluster does not answer, the API
 * server fails, drops connections and slows down mid-step, and PostgreSQL restarts mid-step; and
 * deploys of an image that never gets ready fail by themselves. Every run must end in a final
 * state with its reason, within a bound, and afterwards the Service must route only to ready pods
 * of a version that had been good (the image before the deploy, or the deployed one if the run
 * succeeded). Faults come from a proxy in front of each cluster's API server (fault-proxy.ts), so
 * both clusters get the same ones.
 *
 * Each part runs its cases on both clusters at once (they wait on different things, so this
 * takes about as long as the slower cluster alone). The file has a PostgreSQL of its own, so it
 * can restart it. FAULTS_FULL=1 runs a bigger matrix (also kills before the call reaches the API
 * server, and a PostgreSQL outage longer than a lease); FAULTS_ONLY=cluster or =postgres runs one
 * part; FAULTS_CLUSTERS=sandbox or =real one cluster; FAULTS_VERBOSE=1 prints every case. At the
 * end it prints `faults <n> runs, <n> final, <n> safe`.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunWorker } from "@/lib/jobs/worker";
import type { ClusterGateway as Gateway } from "@/lib/k8s/gateway";
import type { FaultRouter as Router } from "@/tests/support/fault-cases";
import type { FaultProxy, Intercept } from "@/tests/support/fault-proxy";
import { startRestartablePostgres } from "@/tests/support/restartable-postgres";
import { testClusters } from "@/tests/support/test-clusters";
import { startTsxProcess } from "@/tests/support/tsx-process";
import type { TestCluster, WorkloadOptions } from "@/tests/support/workloads";

// This file's runs use a PostgreSQL of their own, which it restarts; DATABASE_URL points at it
// before lib/ is loaded (its values are imported below, after this). The sandbox runs in a
// process of its own, as the real API server does, so it does not share this process's CPU.
const [postgres, available] = await Promise.all([startRestartablePostgres(), testClusters({ sandboxProcess: true })]);
// FAULTS_CLUSTERS=sandbox (or real) runs the suite on one of them.
const clusters = available.filter(
  (c) => !process.env.FAULTS_CLUSTERS || process.env.FAULTS_CLUSTERS.split(",").includes(c.name),
);
process.env.DATABASE_URL = postgres.url;
// Some sixty runs at once, each renewing its lease every 500 ms, beside the test's own reads.
process.env.DATABASE_POOL_SIZE = "40";

const { getDb } = await import("@/lib/db");
const { planFor } = await import("@/lib/deploy/engine/plan");
const { requestDeploy } = await import("@/lib/deploy/commands/requests");
const { ClusterGateway } = await import("@/lib/k8s/gateway");
const { migrateJobQueue, startRunWorker } = await import("@/lib/jobs/worker");
const { createRelease } = await import("@/lib/releases/create-release");
const { seedDemo } = await import("@/tests/support/fixtures");
const { startFaultProxy } = await import("@/tests/support/fault-proxy");
const { FaultRouter, crashLoopKubelet, failUntilDeadline, flakyDuring, parkAt, trafficVerdict } =
  await import("@/tests/support/fault-cases");
const { createWorkload, removeWorkloads } = await import("@/tests/support/workloads");

const FULL = process.env.FAULTS_FULL === "1";
/** FAULTS_ONLY=cluster or FAULTS_ONLY=postgres runs one of the two parts. */
const only = process.env.FAULTS_ONLY;
const STRATEGIES = ["ROLLING", "BLUE_GREEN", "CANARY"] as const;
type Strategy = (typeof STRATEGIES)[number];
const FINAL = ["SUCCEEDED", "FAILED", "ABORTED"];
const START_IMAGE = "registry.example.com/shop/web:1.0.0";
const NEW_IMAGE = "registry.example.com/shop/web:2.0.0";
const LEASE_MS = 1500;
/** How long a run may take from its request to its final state, faults included. */
const RUN_BOUND_MS = 150_000;
/** How long runs may take to reach the steps they are parked at. */
const PARK_WITHIN_MS = 120_000;
/** Crash-looping images: the run's deadline, long enough for a canary to reach its first step. */
const CRASHLOOP_DEADLINE_MS = 20_000;
const PART_TIMEOUT_MS = Number(process.env.FAULTS_PART_TIMEOUT_MS ?? 360_000);

/** The step names of each strategy's deploy plan, from the engine itself. */
function deploySteps(strategy: Strategy): string[] {
  // The targets here have no smoke checks, so the smoke steps make no cluster call a fault could
  // hit; tests/integration/smoke-checks.test.ts covers them failing.
  return planFor("DEPLOY", strategy)
    .map((s) => s.name)
    .filter((name) => !name.startsWith("smoke-"));
}

/** A cluster with the fault proxy in front of it. */
interface Rig {
  cluster: TestCluster;
  proxy: FaultProxy;
  router: Router;
  gateway: Gateway;
  kubeconfigFile: string;
  results: CaseResult[];
}

interface FaultCase {
  rig: Rig;
  fault: string;
  strategy: Strategy;
  step: string | null;
  image: string;
  namespace: string;
  serviceId: string;
  releaseId: string;
  runId?: string;
  requestedAt?: number;
  /** Whether the fault happened where it was meant to (a harness check, not the engine's). */
  hit?: () => boolean;
  /** A run that cannot succeed (its image never gets ready, its deadline passed). */
  mustFail?: boolean;
}

interface CaseResult {
  final: boolean;
  safe: boolean;
}

const rigs: Rig[] = [];
const unsafe: string[] = [];
const started = Date.now();
let f: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(postgres.url);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-faults-"));
  for (const cluster of clusters) {
    const proxy = await startFaultProxy(cluster.kubeConfig);
    const kubeconfigFile = path.join(dir, `${cluster.name}.kubeconfig`);
    proxy.writeKubeconfig(kubeconfigFile);
    rigs.push({
      cluster,
      proxy,
      router: new FaultRouter(proxy),
      gateway: new ClusterGateway(proxy.kubeConfig, { timeoutMs: 5000 }),
      kubeconfigFile,
      results: [],
    });
  }
});

afterAll(async () => {
  const all = rigs.flatMap((r) => r.results);
  for (const rig of rigs) {
    const { results } = rig;
    console.log(
      `faults on ${rig.cluster.name}: ${results.length} runs, ${results.filter((r) => r.final).length} final, ${results.filter((r) => r.safe).length} safe`,
    );
  }
  for (const line of unsafe) console.log(`unsafe: ${line}`);
  console.log(
    `faults ${all.length} runs, ${all.filter((r) => r.final).length} final, ${all.filter((r) => r.safe).length} safe (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  // PostgreSQL first: it is the one thing that would outlive this process.
  await getDb().$disconnect();
  await postgres.dispose();
  for (const rig of rigs) {
    await rig.proxy.stop();
    await removeWorkloads(rig.cluster);
  }
  if (rigs[0]) fs.rmSync(path.dirname(rigs[0].kubeconfigFile), { recursive: true, force: true });
}, 120_000);

/** Every run goes through its cluster's proxy. */
const gatewayFor = (cluster: string) => rigs.find((r) => r.cluster.name === cluster)!.gateway;
const inProcessWorker = () =>
  startRunWorker({
    connectionString: postgres.url,
    gateway: gatewayFor,
    leaseMs: LEASE_MS,
    sweepIntervalMs: 500,
    concurrency: 128,
  });
/** A worker in a process of its own, to be killed with SIGKILL. */
const startWorkerProcess = () =>
  startTsxProcess(
    "fault-worker",
    "tests/support/fault-worker.ts",
    {
      DATABASE_URL: postgres.url,
      FAULT_WORKER_KUBECONFIGS: rigs.map((r) => `${r.cluster.name}=${r.kubeconfigFile}`).join(","),
      FAULT_WORKER_LEASE_MS: String(LEASE_MS),
      FAULT_WORKER_CONCURRENCY: "128",
      LOG_LEVEL: "error",
    },
    /^ready /m,
  );

/** Progress with timings, to see where the suite's time goes. */
function progress(what: string) {
  if (process.env.FAULTS_VERBOSE !== "1") return;
  const cpu = process.cpuUsage();
  console.log(
    `[faults +${((Date.now() - started) / 1000).toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s] ${what}`,
  );
}

const label = (c: FaultCase) => `${c.rig.cluster.name} ${c.strategy} ${c.step ?? "-"} ${c.fault}`;

/**
 * The step the case's run is in now (its service has exactly one deploy). A run records a step
 * as current when the previous one is done, so one that touches the cluster with no current
 * step yet is in its first step.
 */
function stepOf(c: FaultCase) {
  return async () => {
    const run = await getDb().deploymentRun.findFirst({
      where: { serviceId: c.serviceId, kind: "DEPLOY" },
      orderBy: { createdAt: "desc" },
      select: { currentStep: true },
    });
    return run && (run.currentStep ?? deploySteps(c.strategy)[0]);
  };
}

function route(c: FaultCase, intercept: Intercept) {
  c.rig.router.set(c.namespace, intercept);
}

function clearRoutes() {
  for (const rig of rigs) rig.router.clear();
}

/** At most `n` at once: a cluster (the sandbox especially) that creates a hundred workloads at once stops answering. */
function limit(n: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const preparing = new Map<string, ReturnType<typeof limit>>();

/** A Greenlight service whose staging target is a fresh namespace, and a release of `image`. */
function prepare(
  rig: Rig,
  fault: string,
  strategy: Strategy,
  step: string | null,
  image: string,
  workload: WorkloadOptions = {},
): Promise<FaultCase> {
  if (!preparing.has(rig.cluster.name)) preparing.set(rig.cluster.name, limit(8));
  return preparing.get(rig.cluster.name)!(() => prepareNow(rig, fault, strategy, step, image, workload));
}

async function prepareNow(
  rig: Rig,
  fault: string,
  strategy: Strategy,
  step: string | null,
  image: string,
  workload: WorkloadOptions = {},
): Promise<FaultCase> {
  const suffix = randomBytes(3).toString("hex");
  const namespace = `f-${fault}-${strategy.toLowerCase().replace("_", "")}-${suffix}`;
  await createWorkload(rig.cluster, namespace, strategy, START_IMAGE, { replicas: 2, ...workload });
  const service = await getDb().service.create({
    data: {
      name: `faults-${suffix}`,
      displayName: `Faults ${suffix}`,
      targets: {
        create: {
          environmentId: f.staging.id,
          cluster: rig.cluster.name,
          namespace,
          deploymentName: "web",
          containerName: "web",
          kubeServiceName: "web",
          defaultStrategy: strategy,
          canarySteps: [25, 50, 100],
          canaryPauseSeconds: 1,
          verifyWindowSeconds: 0,
        },
      },
    },
  });
  const release = await createRelease(f.releaseManager, {
    serviceId: service.id,
    environmentId: f.staging.id,
    imageRef: image,
    strategy,
    changeSummary: `Fault suite: ${fault} at ${step ?? "any step"}.`,
    links: [],
  });
  return { rig, fault, strategy, step, image, namespace, serviceId: service.id, releaseId: release.id };
}

/**
 * Deploys of an image that never gets ready, one per cluster and strategy. The real cluster
 * needs minReadySeconds so that a crash-looping pod is never counted available before it is
 * marked not Ready (crashLoopKubelet).
 */
function crashLooping(): Promise<FaultCase[]> {
  return Promise.all(
    rigs.flatMap((rig) =>
      STRATEGIES.map((s) =>
        prepare(rig, "crashloop", s, null, `${NEW_IMAGE}-crashloop`, {
          progressDeadlineSeconds: 5,
          minReadySeconds: 2,
        }),
      ),
    ),
  );
}

/** Starts work now and gives its result later, without an unhandled rejection in between. */
function settled<T>(work: Promise<T>): () => Promise<T> {
  const outcome = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return async () => {
    const result = await outcome;
    if ("error" in result) throw result.error;
    return result.value;
  };
}

/** One case per cluster, strategy and deploy step, prepared in parallel. */
async function perStep(fault: string): Promise<FaultCase[]> {
  const cases = await Promise.all(
    rigs.flatMap((rig) =>
      STRATEGIES.flatMap((strategy) =>
        deploySteps(strategy).map((step) => prepare(rig, fault, strategy, step, NEW_IMAGE)),
      ),
    ),
  );
  progress(`${fault}: ${cases.length} workloads ready`);
  return cases;
}

async function request(c: FaultCase) {
  c.requestedAt = Date.now();
  c.runId = (await requestDeploy(f.releaseManager, c.releaseId)).id;
}

/** Waits (bounded) until every case's run is final, or `stop` says to; PostgreSQL may be down meanwhile. */
async function waitForFinal(cases: FaultCase[], timeoutMs: number, stop: () => boolean = () => false) {
  const until = Date.now() + timeoutMs;
  const ids = cases.map((c) => c.runId!);
  while (Date.now() < until && !stop()) {
    const rows = await getDb()
      .deploymentRun.findMany({ where: { id: { in: ids } }, select: { status: true } })
      .catch(() => []);
    if (rows.length === ids.length && rows.every((r) => FINAL.includes(r.status))) return;
    await sleep(250);
  }
}

/** Every case: final with a reason, traffic safe, and the fault where it was meant to be. */
async function judge(cases: FaultCase[]): Promise<string[]> {
  const problems: string[] = [];
  // Checked in parallel: each check may wait for its namespace's rollouts to come to rest.
  await Promise.all(
    cases.map(async (c) => {
      const run = await getDb().deploymentRun.findUniqueOrThrow({ where: { id: c.runId! } });
      const final = FINAL.includes(run.status) && (run.outcome ?? "").trim().length > 0;
      const good = run.status === "SUCCEEDED" ? [START_IMAGE, c.image] : [START_IMAGE];
      const traffic = await trafficVerdict(c.rig.cluster.kubeConfig, c.namespace, "web", good);
      c.rig.results.push({ final, safe: traffic.safe });
      const seconds = ((run.finishedAt?.getTime() ?? Date.now()) - c.requestedAt!) / 1000;
      const line = `${label(c)}: ${run.status} in ${seconds.toFixed(1)} s (${(run.outcome ?? "").slice(0, 160)}); ${traffic.detail}`;
      const found: string[] = [];
      if (!final) found.push("not final");
      if (!traffic.safe) found.push("unsafe");
      if (c.hit && !c.hit()) found.push("the fault missed its step");
      if (c.mustFail && run.status === "SUCCEEDED") found.push("succeeded, but could not have");
      if (found.length > 0) {
        // What the run did last, to see why.
        const events = await getDb().runEvent.findMany({ where: { runId: run.id }, orderBy: { seq: "desc" }, take: 6 });
        const trail = events
          .reverse()
          .map((e) => `${e.createdAt.toISOString().slice(14, 23)} ${e.step}:${e.phase} ${e.message.slice(0, 100)}`);
        problems.push(`${found.join(", ")}: ${line}; last events: ${trail.join(" | ")}`);
        if (!traffic.safe) unsafe.push(line);
      }
      progress(line);
    }),
  );
  return problems.sort();
}

async function expectAllFinalAndSafe(cases: FaultCase[], found: string[] = []) {
  const problems = [...found, ...(await judge(cases))];
  // The next part starts on lighter clusters.
  await Promise.all(rigs.map((r) => removeWorkloads(r.cluster)));
  expect(problems).toEqual([]);
}

describe(`faults on ${clusters.map((c) => c.name).join(" and ")}`, () => {
  it.skipIf(only === "postgres")(
    "the worker is killed (SIGKILL) mid-step and another finishes the run; the deadline passes mid-step while the cluster does not answer; the API server fails, drops connections and slows down mid-step; an image never gets ready",
    async () => {
      // Cases of the second kind start once the killed worker is dead, on the worker that resumes
      // the first kind, so this part costs about one run's time; their workloads are made meanwhile.
      const second = settled(Promise.all([perStep("errors"), crashLooping()]));
      const [killed, late, child] = await Promise.all([perStep("kill"), perStep("deadline"), startWorkerProcess()]);
      // Killed: the call is held after the API server answered (a write was made, and the worker
      // dies before it knows). Deadline: the call is held before it reaches the server, as a
      // cluster that stopped answering.
      const first = [...killed, ...late];
      const parks = first.map((c) => {
        const park = parkAt(c.step!, stepOf(c), c.fault === "kill" ? "response" : "request");
        c.hit = park.isParked;
        route(c, park.intercept);
        return park;
      });
      for (const c of late) c.mustFail = true;
      let worker: RunWorker | undefined;
      let kubelets: { stop(): Promise<void> }[] = [];
      let all = first;
      try {
        await Promise.all(first.map(request));
        await Promise.race([Promise.all(parks.map((p) => p.parked)), sleep(PARK_WITHIN_MS)]);
        progress(`kill, deadline: ${parks.filter((p) => p.isParked()).length} of ${parks.length} parked; SIGKILL`);
        await child.kill();
        // The deadline passes a few seconds after the next worker resumes the run (a run reads its
        // deadline when a worker picks it up), and until then its step's calls keep failing.
        const deadline = Date.now() + LEASE_MS + 3500;
        await getDb().deploymentRun.updateMany({
          where: { id: { in: late.map((c) => c.runId!) } },
          data: { deadlineAt: new Date(deadline) },
        });
        clearRoutes();
        for (const c of late) route(c, failUntilDeadline(c.step!, stepOf(c), () => deadline).intercept);
        // What the dead worker had in flight goes nowhere: its connections are gone.
        for (const p of parks) p.release();

        const [flaky, crashing] = await second();
        for (const c of flaky) {
          const fault = flakyDuring(c.step!, stepOf(c), 3000);
          c.hit = () => fault.injected() > 0;
          route(c, fault.intercept);
        }
        for (const c of crashing) c.mustFail = true;
        await Promise.all([...flaky, ...crashing].map(request));
        // A canary scaled up from zero never reports ProgressDeadlineExceeded (kube-apiserver neither:
        // scaling a complete Deployment is no rollout), so a crash-looping canary waits for the run's
        // deadline: a short one, set before a worker picks the run up (it is read then).
        await getDb().deploymentRun.updateMany({
          where: { id: { in: crashing.map((c) => c.runId!) } },
          data: { deadlineAt: new Date(Date.now() + CRASHLOOP_DEADLINE_MS) },
        });
        kubelets = rigs.map((rig) =>
          crashLoopKubelet(
            rig.cluster.kubeConfig,
            crashing.filter((c) => c.rig === rig).map((c) => c.namespace),
          ),
        );
        all = [...first, ...flaky, ...crashing];
        progress(`errors, crashloop: ${flaky.length + crashing.length} runs requested`);

        worker = await inProcessWorker();
        await waitForFinal(all, RUN_BOUND_MS);
        progress("kill, deadline, errors, crashloop: all final");
      } finally {
        await child.kill();
        await worker?.stop();
        await Promise.all(kubelets.map((k) => k.stop()));
        clearRoutes();
      }
      await expectAllFinalAndSafe(all);
    },
    PART_TIMEOUT_MS,
  );

  it.runIf(FULL && !only)(
    "the worker is killed (SIGKILL) mid-step before its call reaches the API server; another finishes the run",
    async () => {
      const [cases, child] = await Promise.all([perStep("kill-before"), startWorkerProcess()]);
      const parks = cases.map((c) => {
        const park = parkAt(c.step!, stepOf(c), "request");
        c.hit = park.isParked;
        route(c, park.intercept);
        return park;
      });
      let worker: RunWorker | undefined;
      try {
        await Promise.all(cases.map(request));
        await Promise.race([Promise.all(parks.map((p) => p.parked)), sleep(PARK_WITHIN_MS)]);
        progress(`kill-before: ${parks.filter((p) => p.isParked()).length} of ${parks.length} parked; SIGKILL`);
        await child.kill();
        clearRoutes();
        for (const p of parks) p.release();
        worker = await inProcessWorker();
        await waitForFinal(cases, RUN_BOUND_MS);
      } finally {
        await child.kill();
        await worker?.stop();
        clearRoutes();
      }
      await expectAllFinalAndSafe(cases);
    },
    PART_TIMEOUT_MS,
  );

  it.skipIf(only === "cluster")(
    "PostgreSQL restarts mid-step; the worker and the app reconnect by themselves",
    async () => {
      // The worker runs in its own process, as in production: whatever PostgreSQL going away does
      // to it (an error nobody handles ends a Node process) shows as it would there.
      const [cases, child] = await Promise.all([perStep("postgres"), startWorkerProcess()]);
      const parks = cases.map((c) => {
        const park = parkAt(c.step!, stepOf(c), "response");
        c.hit = park.isParked;
        route(c, park.intercept);
        return park;
      });
      const problems: string[] = [];
      let replacement: RunWorker | undefined;
      try {
        await Promise.all(cases.map(request));
        await Promise.race([Promise.all(parks.map((p) => p.parked)), sleep(PARK_WITHIN_MS)]);
        progress(
          `postgres: ${parks.filter((p) => p.isParked()).length} of ${parks.length} parked; stopping PostgreSQL`,
        );
        await postgres.stop();
        // The held calls are answered while PostgreSQL is down: every step's next write fails.
        clearRoutes();
        for (const p of parks) p.release();
        await sleep(FULL ? 5000 : 2000);
        await postgres.start();
        progress("postgres: PostgreSQL is back");
        await waitForFinal(cases, RUN_BOUND_MS, () => !child.alive());
        if (!child.alive()) {
          problems.push(`the worker process died around PostgreSQL's restart (${child.ended()})`);
          // As a supervisor would: another worker, so the runs can still be judged.
          replacement = await inProcessWorker();
          await waitForFinal(cases, RUN_BOUND_MS);
        }
        progress("postgres: all final");
      } finally {
        await postgres.start();
        await child.kill();
        await replacement?.stop();
        clearRoutes();
      }
      await expectAllFinalAndSafe(cases, problems);
    },
    PART_TIMEOUT_MS,
  );
});
