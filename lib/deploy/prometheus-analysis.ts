import type { AnalysisVerdict, CanaryAnalysis } from "@/lib/deploy/analysis";
import { decide, DEFAULT_MIN_REQUESTS, DEFAULT_RULES, type AnalysisRule, type Measurements } from "@/lib/deploy/analysis-rules";
import type { DeployTarget, RunState } from "@/lib/deploy/types";
import type { PrometheusGateway } from "@/lib/prometheus/client";
import { errorRatio, latencyQuantile, requestCount, withLabels } from "@/lib/prometheus/promql";

export interface PrometheusAnalysisOptions {
  rules?: AnalysisRule[];
  minRequests?: number;
  /** The shortest window judged, so rates have enough samples even after a short pause. */
  minWindowSeconds?: number;
  /** The label selector of a target's series (e.g. from its metricsSelector). */
  selectorFor: (target: DeployTarget) => string | null;
}

/**
 * Judges each canary step from Prometheus: the canary pods' requests, 5xx share, P95 and P99
 * over the step's pause. No answer or too little traffic is inconclusive, never a pass.
 */
export function prometheusAnalysis(gateway: PrometheusGateway, options: PrometheusAnalysisOptions): CanaryAnalysis {
  return {
    async evaluateStep(target: DeployTarget, _state: RunState, percent: number): Promise<AnalysisVerdict> {
      const base = options.selectorFor(target);
      if (base === null) return { verdict: "inconclusive", summary: "this service has no metrics selector configured" };
      const selector = withLabels(base, { track: "canary" });
      const window = `${Math.max(options.minWindowSeconds ?? 20, target.canaryPauseSeconds)}s`;
      const at = Date.now();
      const [requests, errors, p95, p99] = await Promise.all([
        gateway.scalar(requestCount(selector, window), at),
        gateway.scalar(errorRatio(selector, window), at),
        gateway.scalar(latencyQuantile(0.95, selector, window), at),
        gateway.scalar(latencyQuantile(0.99, selector, window), at),
      ]);
      const failed = [requests, errors, p95, p99].find((r) => !r.ok);
      if (failed && !failed.ok) return { verdict: "inconclusive", summary: `Prometheus: ${failed.error.message}` };
      const value = (r: typeof requests) => (r.ok ? r.value : null);
      const measurements: Measurements = { requests: value(requests), error_rate: value(errors), latency_p95: value(p95), latency_p99: value(p99) };
      const decision = decide(measurements, options.rules ?? DEFAULT_RULES, options.minRequests ?? DEFAULT_MIN_REQUESTS);
      return { verdict: decision.verdict, summary: `${percent} % step over ${window}: ${decision.summary}`, measurements: { selector, window, ...measurements, rules: decision.outcomes } };
    },
  };
}
