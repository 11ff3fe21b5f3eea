import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

/**
 * Greenlight's own metrics, in one registry per process. Next bundles a module once per route
 * and once more for instrumentation.ts, and `next dev` re-evaluates modules on every change:
 * each copy of this file must find the same registry and the same metric objects, or a scrape
 * would see one copy's counters and miss another's (or prom-client would refuse a second
 * registration of the same name). So they live on globalThis, created by whichever copy runs first.
 */
function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "greenlight_http_request_duration_seconds",
      help: "Requests the web server answered, by method, route (the app's route pattern, not the URL) and status code.",
      labelNames: ["method", "route", "status"] as const,
      buckets: seconds,
      registers: [registry],
    }),
    runsFinished: new Counter({
      name: "greenlight_runs_finished_total",
      help: "Runs this process brought to their end, by kind, strategy and outcome (succeeded, failed, aborted).",
      labelNames: ["kind", "strategy", "outcome"] as const,
      registers: [registry],
    }),
    runStepDuration: new Histogram({
      name: "greenlight_run_step_duration_seconds",
      help: "How long one execution of a run's step took, by kind, strategy, step and its result (a canary step runs once per check).",
      labelNames: ["kind", "strategy", "step", "result"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    signOffs: new Counter({
      name: "greenlight_signoffs_total",
      help: "Release sign-offs recorded by this process: approve, reject, withdraw.",
      labelNames: ["action"] as const,
      registers: [registry],
    }),
    prometheusRequestDuration: new Histogram({
      name: "greenlight_prometheus_request_duration_seconds",
      help: "Queries sent to Prometheus (cache misses only), by API endpoint and outcome (ok or the error type).",
      labelNames: ["endpoint", "outcome"] as const,
      buckets: seconds,
      registers: [registry],
    }),
    kubernetesRequestDuration: new Histogram({
      name: "greenlight_kubernetes_request_duration_seconds",
      help: "Calls to a cluster's API server, by operation and outcome (ok or the error type).",
      labelNames: ["operation", "outcome"] as const,
      buckets: seconds,
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: "greenlight_cache_lookups_total",
      help: "Lookups in the app's caches, by cache and result (hit or miss); the hit ratio is hit / (hit + miss).",
      labelNames: ["cache", "result"] as const,
      registers: [registry],
    }),
  };
}

export type Telemetry = ReturnType<typeof create>;

const KEY = Symbol.for("greenlight.telemetry");
type Holder = { [KEY]?: Telemetry };

/** This process's metrics (one set, whichever copy of this module asks). */
export function telemetry(): Telemetry {
  const holder = globalThis as Holder;
  holder[KEY] ??= create();
  return holder[KEY];
}

export interface CacheMetrics {
  hit(count?: number): void;
  miss(count?: number): void;
}

/**
 * Counts a cache's hits and misses under greenlight_cache_lookups_total{cache="<name>"}, so any
 * cache (the Prometheus answers, the cluster informers) shows up with its hit ratio.
 */
export function cacheMetrics(cache: string): CacheMetrics {
  const counter = telemetry().cacheLookups;
  // Both series exist from the start, so a ratio is defined before the first miss.
  counter.inc({ cache, result: "hit" }, 0);
  counter.inc({ cache, result: "miss" }, 0);
  return {
    hit: (count = 1) => counter.inc({ cache, result: "hit" }, count),
    miss: (count = 1) => counter.inc({ cache, result: "miss" }, count),
  };
}

/** Times `work` into a histogram, with labels that may depend on its result. */
export async function timed<T, L extends string>(
  histogram: Histogram<L>,
  labels: (result: T) => Partial<Record<L, string>>,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const result = await work();
  histogram.observe(labels(result), (performance.now() - started) / 1000);
  return result;
}
