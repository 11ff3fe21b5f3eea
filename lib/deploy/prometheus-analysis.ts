import type { AnalysisVerdict, SliAnalysis } from "@/lib/deploy/analysis";
import { decide, type AnalysisRule, type Measurements } from "@/lib/deploy/analysis-rules";
import type { DeployTarget } from "@/lib/deploy/types";
import type { PrometheusGateway } from "@/lib/prometheus/client";
import { errorRatio, latencyQuantile, requestCount, withLabels } from "@/lib/prometheus/promql";

/** Checks run this often while a canary pause or a verification window is open. */
export const DEFAULT_ANALYSIS_INTERVAL_MS = 5000;
/** Shorter windows would hold fewer than about three scrapes, too few for a rate. */
export const DEFAULT_MIN_WINDOW_SECONDS = 20;

export interface PrometheusAnalysisOptions {
  /** Overrides every target's own rules (tests). */
  rules?: AnalysisRule[];
  /** Overrides every target's own minimum (tests). */
  minRequests?: number;
  minWindowSeconds?: number;
  intervalMs?: number;
  /** The label selector of a target's series (e.g. from its metricsSelector). */
  selectorFor: (target: DeployTarget) => string | null;
}

/**
 * Judges deploys from Prometheus: requests, 5xx share, P95 and P99 over a window, for the
 * canary's pods during a canary, for all the service's pods after a rolling or blue-green deploy.
 * No answer or too little traffic is inconclusive, never a pass.
 */
export function prometheusAnalysis(gateway: PrometheusGateway, options: PrometheusAnalysisOptions): SliAnalysis {
  const minWindow = options.minWindowSeconds ?? DEFAULT_MIN_WINDOW_SECONDS;

  async function judge(target: DeployTarget, labels: Record<string, string>, windowSeconds: number, what: string): Promise<AnalysisVerdict> {
    const base = options.selectorFor(target);
    if (base === null) return { verdict: "inconclusive", summary: "this service has no metrics selector configured" };
    let selector: string;
    try {
      selector = withLabels(base, labels);
    } catch (error) {
      return { verdict: "inconclusive", summary: `the metrics selector is not usable: ${error instanceof Error ? error.message : String(error)}` };
    }
    const window = `${Math.max(minWindow, Math.round(windowSeconds))}s`;
    // One instant for the four queries, so they describe the same window.
    const at = Date.now();
    const m = target.metrics;
    const [requests, errors, p95, p99] = await Promise.all([
      gateway.scalar(requestCount(selector, window, m), at),
      gateway.scalar(errorRatio(selector, window, m), at),
      gateway.scalar(latencyQuantile(0.95, selector, window, m), at),
      gateway.scalar(latencyQuantile(0.99, selector, window, m), at),
    ]);
    const failed = [requests, errors, p95, p99].find((r) => !r.ok);
    if (failed && !failed.ok) return { verdict: "inconclusive", summary: `Prometheus: ${failed.error.message}` };
    const value = (r: typeof requests) => (r.ok ? r.value : null);
    const measurements: Measurements = { requests: value(requests), error_rate: value(errors), latency_p95: value(p95), latency_p99: value(p99) };
    const decision = decide(measurements, options.rules ?? target.rules, options.minRequests ?? target.minRequests);
    return { verdict: decision.verdict, summary: `${what} over ${window}: ${decision.summary}`, measurements: { selector, window, ...measurements, rules: decision.outcomes } };
  }

  return {
    intervalMs: options.intervalMs ?? DEFAULT_ANALYSIS_INTERVAL_MS,
    minWindowSeconds: minWindow,
    evaluateStep: (target, _state, percent, windowSeconds) => judge(target, { track: "canary" }, windowSeconds ?? target.canaryPauseSeconds, `${percent} % step`),
    // After the switch (or the rollout) only the new version serves, so the whole service is judged.
    evaluateLive: (target, windowSeconds) => judge(target, {}, windowSeconds, "the new version"),
  };
}
