/**
 * `npm run bench:views`: what viewers of a service page cost the cluster's API server, and how
 * soon a change in the cluster shows on the page. With the demo data and the sandbox in its own
 * process (as a cluster is), each page view runs the reads the service page makes for checkout's
 * environments: `liveCard` (lib/deploy/queries.ts), the query its streamed live cards call,
 * through the process's watch cache (lib/k8s/informers.ts) exactly as in the app.
 *  1. API server requests per minute, as the sandbox counts them (every verb: the watch cache's
 *     lists and watches included), with 1 viewer, then 200 viewers each reloading the page every
 *     RELOAD_MS at random phases; each phase starts with no watches (its first lists count too).
 *     For comparison, 200 viewers reading the cluster directly, as the page did before the cache.
 *  2. The time from a change in the cluster (the live Deployment's replicas or image, patched
 *     through the API) to the page's read showing it, 30 times, p95.
 * Ends with one line:
 *   views api_requests_per_min_1=… api_requests_per_min_200=… change_to_page_p95_ms=…
 * BENCH_VIEW_SECONDS (default 45) sets how long each viewer phase lasts.
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { spawnSandbox, startBenchDatabase } from "./bench-support";

const VIEW_SECONDS = Number(process.env.BENCH_VIEW_SECONDS ?? 45);
const RELOAD_MS = 5000;
const log = (line: string) => process.stdout.write(`${line}\n`);

const bench = await startBenchDatabase("bench-views");
// No demo traffic: it does not touch the API server, but it would share the machine's CPUs.
const sandbox = await spawnSandbox(bench.tmp, { SANDBOX_LOAD: "off" });
// The app finds clusters through KUBECONFIG (lib/k8s/clusters.ts); set before it loads one.
process.env.KUBECONFIG = sandbox.kubeconfigPath;
const { liveState } = await import("@/lib/deploy/live/live-state");
const { lastSucceededDeployStrategy, liveCard } = await import("@/lib/deploy/queries");
const { deployTarget } = await import("@/lib/deploy/targets");
const { gatewayFor } = await import("@/lib/k8s/gateway");
const { processWatches } = await import("@/lib/k8s/informers");

const requestsUrl = sandbox.targetsUrl.replace(/\/sandbox\/targets$/, "/sandbox/requests");
async function apiRequests(): Promise<{ total: number; byVerb: Record<string, number> }> {
  const byVerb = (await (await fetch(requestsUrl)).json()) as Record<string, number>;
  return { total: Object.values(byVerb).reduce((a, b) => a + b, 0), byVerb };
}

const db = bench.db;
const service = await db.service.findUniqueOrThrow({
  where: { name: "checkout" },
  include: { targets: { include: { environment: true } } },
});
const targets = await Promise.all(
  service.targets.map(async (t) => ({
    row: t,
    strategy: (await lastSucceededDeployStrategy(service.id, t.environmentId)) ?? t.defaultStrategy,
  })),
);

/** One page view's cluster reads: every environment's live card, in parallel as the page streams them. */
function view() {
  return Promise.all(targets.map(({ row, strategy }) => liveCard(service, row, strategy, null, true)));
}
/** The same reads straight from the cluster, as every view did before the watch cache. */
function directView() {
  return Promise.all(
    targets.map(({ row, strategy }) =>
      liveState(deployTarget(row, service.name), strategy, service.id, row.environmentId, (c) => gatewayFor(c)),
    ),
  );
}

/** API server requests per minute while `viewers` reload the page every RELOAD_MS for `seconds`. */
async function phase(label: string, viewers: number, read: () => Promise<unknown[]>, seconds = VIEW_SECONDS) {
  await processWatches().stopAll(); // each phase starts cold: its lists count
  const before = await apiRequests();
  const started = Date.now();
  const until = started + seconds * 1000;
  let views = 0;
  let failed = 0;
  const reasons = new Map<string, number>();
  const durations: number[] = [];
  await Promise.all(
    Array.from({ length: viewers }, async (_, i) => {
      if (i > 0) await new Promise((r) => setTimeout(r, Math.random() * RELOAD_MS));
      while (Date.now() < until) {
        const viewStarted = performance.now();
        const cards = (await read()) as { state?: { error?: string }; error?: string }[];
        durations.push(performance.now() - viewStarted);
        views += 1;
        const errors = cards.map((c) => (c.state ?? c).error).filter((e): e is string => Boolean(e));
        if (errors.length) failed += 1;
        for (const e of errors) reasons.set(e, (reasons.get(e) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, RELOAD_MS));
      }
    }),
  );
  const after = await apiRequests();
  const minutes = (Date.now() - started) / 60_000;
  const perMinute = Math.round((after.total - before.total) / minutes);
  const verbs = Object.entries(after.byVerb)
    .map(([verb, n]) => [verb, n - (before.byVerb[verb] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([verb, n]) => `${verb} ${n}`)
    .join(", ");
  durations.sort((a, b) => a - b);
  const median = Math.round(durations[Math.floor(durations.length / 2)] ?? 0);
  log(
    `${label}: ${viewers} viewer(s), ${views} page views (${failed} with a cluster error, median ${median} ms), ` +
      `${perMinute} API requests/min (${verbs} in ${Math.round(minutes * 60)} s)`,
  );
  for (const [reason, n] of reasons) log(`  ${n} × ${reason}`);
  return perMinute;
}

const one = await phase("watch cache", 1, view);
const many = await phase("watch cache", 200, view);
const before = await phase("direct reads, as before the cache", 200, directView, Math.min(VIEW_SECONDS, 20));

// Change → page: patch the Deployment the staging card shows, read the page until it shows it.
const kc = new KubeConfig();
kc.loadFromFile(sandbox.kubeconfigPath);
const apps = kc.makeApiClient(AppsV1Api);
const staging = targets.find((t) => t.row.environment.name === "staging")!;
const namespace = staging.row.namespace;
const card = async () => (await liveCard(service, staging.row, staging.strategy, null, true)).state;
const first = await card();
const shown = first.color ? `${staging.row.deploymentName}-${first.color}` : staging.row.deploymentName;
const container = staging.row.containerName ?? service.name;
const image = first.image!;
const latencies: number[] = [];
for (let i = 0; i < 30; i++) {
  // Alternately the replica count and the image, as a scale and a deploy change them.
  const replicas = first.replicas.desired + (i % 4 < 2 ? 1 : 0);
  const wantedImage = i % 2 === 0 ? image : `${image.replace(/@.*$/, "")}-bench${i}`;
  const changed = performance.now();
  await apps.patchNamespacedDeployment(
    {
      namespace,
      name: shown,
      body: { spec: { replicas, template: { spec: { containers: [{ name: container, image: wantedImage }] } } } },
    },
    setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
  );
  for (;;) {
    const state = await card();
    if (state.replicas.desired === replicas && state.image === wantedImage) break;
    if (performance.now() - changed > 10_000) throw new Error(`the page never showed change ${i}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  latencies.push(performance.now() - changed);
}
latencies.sort((a, b) => a - b);
const p95 = Math.round(latencies[Math.ceil(latencies.length * 0.95) - 1]);
log(
  `change to page: median ${Math.round(latencies[15])} ms, p95 ${p95} ms, max ${Math.round(latencies.at(-1)!)} ms (30 changes, polled every 10 ms)`,
);

log(`direct reads for 200 viewers (before the cache): ${before} API requests/min`);

await processWatches().stopAll();
sandbox.stop();
await bench.stop();
log(`views api_requests_per_min_1=${one} api_requests_per_min_200=${many} change_to_page_p95_ms=${p95}`);
process.exit(0);
