/**
 * `npm run bench:slis`, on the sandbox with a real Prometheus (Debian's, 5 s scrape):
 *  1. upstream Prometheus queries per minute while 1, then 200, viewers watch one service page's
 *     SLI data (each refreshing every 15 s like the page, at random phases), counted by
 *     Prometheus itself (prometheus_http_requests_total of its query APIs);
 *  2. the time from a bad canary's first failing request to all traffic back on stable, with the
 *     default analysis settings (and the same for a bad blue-green deploy's verification window).
 * Ends with one line:
 *   slis queries_per_min_1=… queries_per_min_200=… breach_to_stable_s=…
 * BENCH_VIEW_SECONDS (default 60, a multiple of 15) sets how long each viewer phase lasts.
 */
import path from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { loadUser } from "@/lib/auth/current-user";
import { freePort } from "@/lib/db/embedded-postgres";
import { prometheusAnalysis } from "@/lib/deploy/analysis/prometheus";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { startRunWorker } from "@/lib/jobs/worker";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { PrometheusGateway } from "@/lib/prometheus/client";
import { findPrometheus, startLocalPrometheus } from "@/lib/prometheus/local-server";
import { createRelease } from "@/lib/releases/create-release";
import { serviceSlis } from "@/lib/slo/service-slis";
import { waitFor } from "@/tests/support/workloads";
import { spawnSandbox, startBenchDatabase } from "./bench-support";

const VIEW_SECONDS = Number(process.env.BENCH_VIEW_SECONDS ?? 60);
const REFRESH_MS = 15_000;
const SCRAPE_SECONDS = 5;
// Demo traffic per Service. Detection needs the analysis' minimum of 50 requests in the window;
// at 5 rps (npm start's demo rate) a 25 % canary gets 1.25 rps and takes 40 s to reach it.
const LOAD_RPS = Number(process.env.BENCH_LOAD_RPS ?? 20);

if (!findPrometheus()) {
  process.stderr.write("bench:slis needs Prometheus: sudo apt-get install --no-install-recommends prometheus\n");
  process.exit(1);
}
const log = (line: string) => process.stdout.write(`${line}\n`);

const bench = await startBenchDatabase("bench-slis");
const db = bench.db;
const releaseManager = (await loadUser(
  (await db.user.findUniqueOrThrow({ where: { email: "release.manager@greenlight.local" } })).id,
))!;
const staging = await db.environment.findUniqueOrThrow({ where: { name: "staging" } });

const sandbox = await spawnSandbox(bench.tmp, { SANDBOX_LOAD_RPS: String(LOAD_RPS) });
const { kubeconfigPath, targetsUrl } = sandbox;
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(kubeconfigPath);
const core = kubeConfig.makeApiClient(CoreV1Api);
const prom = await startLocalPrometheus({
  dataDir: path.join(bench.tmp, "prometheus"),
  port: await freePort(),
  targetsUrl,
  scrapeIntervalSeconds: SCRAPE_SECONDS,
});
const probe = new PrometheusGateway(prom.url, { cacheTtlMs: 1 });
await waitFor(
  async () => {
    const r = await probe.scalar(
      'sum(rate(http_requests_total{app="search",namespace="shop-staging"}[20s]))',
      Date.now(),
    );
    return r.ok && (r.value ?? 0) > 0;
  },
  60_000,
  500,
);
log(
  `Prometheus at ${prom.url}, scraping the sandbox every ${SCRAPE_SECONDS} s; demo load ${LOAD_RPS} requests/s per Service`,
);

/** Query API requests Prometheus has answered, from its own /metrics (not a query, so not counted). */
async function upstreamQueries(): Promise<number> {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(
    /^prometheus_http_requests_total\{[^}]*handler="\/api\/v1\/query(?:_range)?"[^}]*\} (\d+(?:\.\d+)?)/gm,
  ))
    total += Number(match[1]);
  return total;
}

/** `viewers` people on the checkout page, each refreshing its SLI data every 15 s from their own moment. */
async function watch(viewers: number): Promise<{ perMinute: number; refreshes: number; failures: number }> {
  // One gateway per server process, as in the app: what viewers share is its cache.
  const gateway = new PrometheusGateway(prom.url);
  const checkout = await db.service.findUniqueOrThrow({ where: { name: "checkout" } });
  // Each phase starts on a refresh-interval boundary, so both phases span the same number of
  // intervals: a phase starting mid-interval would count one interval more for many viewers
  // than for one, which is the measuring window's edge, not load.
  const boundary = Math.ceil(Date.now() / REFRESH_MS) * REFRESH_MS;
  await new Promise((r) => setTimeout(r, boundary + 50 - Date.now()));
  const before = await upstreamQueries();
  const ends = boundary + VIEW_SECONDS * 1000 - 100;
  let refreshes = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: viewers }, async () => {
      // One viewer refreshes 1 s into each interval; many viewers opened the page at random moments.
      await new Promise((r) => setTimeout(r, viewers === 1 ? 1000 : Math.random() * REFRESH_MS));
      while (Date.now() < ends) {
        const started = Date.now();
        const data = await serviceSlis(checkout.id, staging.id, "1h", gateway);
        refreshes += 1;
        if (!data.ok) failures += 1;
        await new Promise((r) =>
          setTimeout(r, Math.max(0, Math.min(REFRESH_MS - (Date.now() - started), ends - Date.now()))),
        );
      }
    }),
  );
  const sent = (await upstreamQueries()) - before;
  return { perMinute: (sent * 60) / VIEW_SECONDS, refreshes, failures };
}

const one = await watch(1);
log(
  `1 viewer:    ${one.refreshes} refreshes, ${one.failures} failed; ${one.perMinute.toFixed(1)} upstream queries/min`,
);
const many = await watch(200);
log(
  `200 viewers: ${many.refreshes} refreshes, ${many.failures} failed; ${many.perMinute.toFixed(1)} upstream queries/min (${(many.perMinute / one.perMinute).toFixed(2)} × one viewer; goal ≤ 1.2 ×)`,
);

// --- Breach to stable ---------------------------------------------------------------------
const gateways = new ClusterGateway(kubeConfig);
const worker = await startRunWorker({
  connectionString: bench.url,
  gateway: () => gateways,
  analysis: prometheusAnalysis(new PrometheusGateway(prom.url), { selectorFor: (t) => t.metricsSelector }),
});

interface Target {
  targets: string[];
  labels: Record<string, string>;
}

/** When the first 5xx was answered by a pod matching `labels`, read from the pods' own counters every 100 ms. */
async function firstFailure(labels: Record<string, string>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const targets = (await (await fetch(targetsUrl)).json()) as Target[];
    const pods = targets.filter((t) => Object.entries(labels).every(([k, v]) => t.labels[k] === v));
    for (const pod of pods) {
      const text = await fetch(`http://${pod.targets[0]}${pod.labels.__metrics_path__ ?? "/metrics"}`)
        .then((r) => r.text())
        .catch(() => "");
      if (/^http_requests_total\{[^}]*status="5\d\d"[^}]*\} [1-9]/m.test(text)) return Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no failing request from pods with ${JSON.stringify(labels)} within ${timeoutMs} ms`);
}

async function deploy(service: string, image: string, strategy: "CANARY" | "BLUE_GREEN") {
  const row = await db.service.findUniqueOrThrow({ where: { name: service } });
  const release = await createRelease(releaseManager, {
    serviceId: row.id,
    environmentId: staging.id,
    imageRef: image,
    strategy,
    changeSummary: "Benchmark: a version that fails 20 % of requests.",
    links: [],
  });
  return requestDeploy(releaseManager, release.id);
}

const target = await db.serviceTarget.findFirstOrThrow({
  where: { environmentId: staging.id, service: { name: "search" } },
});
log(
  `canary: steps ${target.canarySteps.join(" → ")} %, pause ${target.canaryPauseSeconds} s, checks every 5 s over ≥ 20 s, at least 50 requests`,
);
const canaryRun = await deploy("search", "registry.greenlight.local/shop/search:0.19.0-bad", "CANARY");
const canaryFailedAt = await firstFailure({ app: "search", namespace: "shop-staging", track: "canary" }, 60_000);
let canaryStableAt = 0;
await waitFor(
  async () => {
    const pods = await core.listNamespacedPod({ namespace: "shop-staging", labelSelector: "app=search,track=canary" });
    const serving = pods.items.filter(
      (p) =>
        !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
    );
    canaryStableAt = Date.now();
    return serving.length === 0;
  },
  120_000,
  100,
);
await waitFor(
  async () =>
    ["SUCCEEDED", "FAILED", "ABORTED"].includes(
      (await db.deploymentRun.findUniqueOrThrow({ where: { id: canaryRun.id } })).status,
    ),
  60_000,
  200,
);
const canaryDone = await db.deploymentRun.findUniqueOrThrow({ where: { id: canaryRun.id } });
const breachToStable = (canaryStableAt - canaryFailedAt) / 1000;
log(
  `canary: first failing request → no canary pod serving: ${breachToStable.toFixed(1)} s (goal < 30 s); run ${canaryDone.status.toLowerCase()}: ${canaryDone.outcome}`,
);

// The same for a blue-green deploy judged in its verification window.
const checkoutService = await core.readNamespacedService({ namespace: "shop-staging", name: "checkout" });
const before = checkoutService.spec?.selector?.color;
const next = before === "blue" ? "green" : "blue";
await deploy("checkout", "registry.greenlight.local/shop/checkout:1.5.0-bad", "BLUE_GREEN");
await waitFor(
  async () =>
    (await core.readNamespacedService({ namespace: "shop-staging", name: "checkout" })).spec?.selector?.color === next,
  60_000,
  100,
);
const blueGreenFailedAt = await firstFailure({ app: "checkout", namespace: "shop-staging", color: next }, 60_000);
let blueGreenBackAt = 0;
await waitFor(
  async () => {
    blueGreenBackAt = Date.now();
    return (
      (await core.readNamespacedService({ namespace: "shop-staging", name: "checkout" })).spec?.selector?.color ===
      before
    );
  },
  120_000,
  100,
);
log(
  `blue-green: first failing request after the switch → Service back on ${before}: ${((blueGreenBackAt - blueGreenFailedAt) / 1000).toFixed(1)} s (verification checks every 5 s once 20 s have passed since the switch)`,
);

await worker.stop();
sandbox.stop();
await prom.stop();
await bench.stop();
log(
  `slis queries_per_min_1=${one.perMinute.toFixed(1)} queries_per_min_200=${many.perMinute.toFixed(1)} breach_to_stable_s=${breachToStable.toFixed(1)}`,
);
process.exit(0);
