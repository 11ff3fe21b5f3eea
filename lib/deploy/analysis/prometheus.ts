import type { AnalysisVerdict, SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import { decide, type AnalysisRule, type Measurements } from "@/lib/deploy/analysis/rules";
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

  async function judge(
    target: DeployTarget,
    labels: Record<string, string>,
    windowSeconds: number,
    what: string,
  ): Promise<AnalysisVerdict> {
    const base = options.selectorFor(target);
    if (base === null) return { verdict: "inconclusive", summary: "this service has no metrics selector configured" };
    let selector: string;
    try {
      selector = withLabels(base, labels);
    } catch (error) {
      return {
        verdict: "inconclusive",
        summary: `the metrics selector is not usable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const window = `${Math.max(minWindow, Math.round(windowSeconds))}s`;
    const m = target.metrics;
    let queries: string[];
    try {
      queries = [
        requestCount(selector, window, m),
        errorRatio(selector, window, m),
        latencyQuantile(0.95, selector, window, m),
        latencyQuantile(0.99, selector, window, m),
      ];
    } catch (error) {
      return {
        verdict: "inconclusive",
        summary: `the metric names are not usable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    // One instant for the four queries, so they describe the same window.
    const at = Date.now();
    const [requests, errors, p95, p99] = await Promise.all(queries.map((q) => gateway.scalar(q, at)));
    const failed = [requests, errors, p95, p99].find((r) => !r.ok);
    if (failed && !failed.ok) return { verdict: "inconclusive", summary: `Prometheus: ${failed.error.message}` };
    const value = (r: typeof requests) => (r.ok ? r.value : null);
    const measurements: Measurements = {
      requests: value(requests),
      error_rate: value(errors),
      latency_p95: value(p95),
      latency_p99: value(p99),
    };
    const decision = decide(measurements, options.rules ?? target.rules, options.minRequests ?? target.minRequests);
    return {
      verdict: decision.verdict,
      summary: `${what} over ${window}: ${decision.summary}`,
      measurements: { selector, window, ...measurements, rules: decision.outcomes },
    };
  }

  return {
    intervalMs: options.intervalMs ?? DEFAULT_ANALYSIS_INTERVAL_MS,
    minWindowSeconds: minWindow,
    evaluateStep: (target, _state, percent, windowSeconds) =>
      judge(target, { track: "canary" }, windowSeconds ?? target.canaryPauseSeconds, `${percent} % step`),
    async evaluateLive(target, windowSeconds, labels = {}) {
      if (Object.keys(labels).length === 0) return judge(target, {}, windowSeconds, "the new version");
      const narrowed = await judge(
        target,
        labels,
        windowSeconds,
        `the new version (${Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(", ")})`,
      );
      if (narrowed.verdict !== "inconclusive" || (narrowed.measurements as Measurements | undefined)?.requests != null)
        return narrowed;
      // Series without those labels: after the switch only the new version takes traffic.
      return judge(target, {}, windowSeconds, "the new version (its series carry no such labels: all its pods)");
    },
  };
}
