import { formatSli, SLI_THRESHOLDS, type SliName } from "@/lib/slo/thresholds";

/** A rule a canary (or a verification window) must meet, e.g. error rate ≤ 0.1 %. */
export interface AnalysisRule {
  sli: Extract<SliName, "error_rate" | "latency_p95" | "latency_p99">;
  max: number;
}

/** Defaults from the SLI table's critical lines. */
export const DEFAULT_RULES: AnalysisRule[] = [
  { sli: "error_rate", max: SLI_THRESHOLDS.error_rate.critical },
  { sli: "latency_p95", max: SLI_THRESHOLDS.latency_p95.critical },
  { sli: "latency_p99", max: SLI_THRESHOLDS.latency_p99.critical },
];

/** A canary with fewer requests than this in the window is not judged on noise. */
export const DEFAULT_MIN_REQUESTS = 50;

/** What Prometheus said about the window; null where it had no answer. */
export interface Measurements {
  requests: number | null;
  error_rate: number | null;
  latency_p95: number | null;
  latency_p99: number | null;
}

export interface RuleOutcome {
  sli: AnalysisRule["sli"];
  value: number | null;
  max: number;
  passed: boolean | null;
}

export type Decision = { verdict: "pass" | "fail" | "inconclusive"; summary: string; outcomes: RuleOutcome[] };

/**
 * The analysis decision: fail on any breach, inconclusive when data is missing or too thin (it
 * never promotes on missing data), pass otherwise.
 */
export function decide(
  measurements: Measurements | null,
  rules: readonly AnalysisRule[] = DEFAULT_RULES,
  minRequests = DEFAULT_MIN_REQUESTS,
): Decision {
  if (!measurements) return { verdict: "inconclusive", summary: "Prometheus did not answer", outcomes: [] };
  const outcomes: RuleOutcome[] = rules.map((rule) => {
    const value = measurements[rule.sli];
    return {
      sli: rule.sli,
      value,
      max: rule.max,
      passed: value === null || Number.isNaN(value) ? null : value <= rule.max,
    };
  });
  const breaches = outcomes.filter((o) => o.passed === false);
  const breachText = breaches
    .map((b) => `${SLI_THRESHOLDS[b.sli].label} ${formatSli(b.sli, b.value!)} > ${formatSli(b.sli, b.max)}`)
    .join("; ");
  if (measurements.requests === null)
    return { verdict: "inconclusive", summary: "no request data in the window", outcomes };
  // Too little traffic is noise either way: neither a pass nor a failure is judged on it.
  if (measurements.requests < minRequests) {
    return {
      verdict: "inconclusive",
      summary: `only ${Math.round(measurements.requests)} requests in the window (at least ${minRequests} needed)${breachText ? `; not judged on ${breachText}` : ""}`,
      outcomes,
    };
  }
  if (breaches.length > 0) return { verdict: "fail", summary: breachText, outcomes };
  const missing = outcomes.filter((o) => o.passed === null);
  if (missing.length > 0)
    return {
      verdict: "inconclusive",
      summary: `no data for ${missing.map((m) => SLI_THRESHOLDS[m.sli].label).join(", ")}`,
      outcomes,
    };
  return {
    verdict: "pass",
    summary: outcomes
      .map((o) => `${SLI_THRESHOLDS[o.sli].label} ${formatSli(o.sli, o.value!)} ≤ ${formatSli(o.sli, o.max)}`)
      .join("; "),
    outcomes,
  };
}
