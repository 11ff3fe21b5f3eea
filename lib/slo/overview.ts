import { prometheus, type PrometheusGateway } from "@/lib/prometheus/client";
import { availability, DEFAULT_METRICS, isValidSelector, type MetricNames } from "@/lib/prometheus/promql";
import { availabilityStatus, budgetRemaining, type SloLevel } from "@/lib/slo/error-budget";

export interface SloSummary {
  level: SloLevel;
  /** Availability over 30 days, when Prometheus has it. */
  availability30d: number | null;
  budgetRemaining: number | null;
  note?: string;
}

/**
 * The availability SLO at a glance for one service target: status from the 1-hour and 4-hour
 * windows, error budget from 30 days. Prometheus down or unconfigured reads as "unknown".
 */
export async function sloSummary(
  selector: string | null,
  gateway: PrometheusGateway | null = prometheus(),
  m: MetricNames = DEFAULT_METRICS,
): Promise<SloSummary> {
  if (!gateway)
    return { level: "unknown", availability30d: null, budgetRemaining: null, note: "Prometheus not configured" };
  if (!selector || !isValidSelector(selector))
    return { level: "unknown", availability30d: null, budgetRemaining: null, note: "no metrics selector" };
  let queries: string[];
  try {
    queries = ["1h", "4h", "30d"].map((w) => availability(selector, w, m));
  } catch (error) {
    return {
      level: "unknown",
      availability30d: null,
      budgetRemaining: null,
      note: error instanceof Error ? error.message : String(error),
    };
  }
  const [h1, h4, d30] = await Promise.all(queries.map((q) => gateway.scalar(q)));
  if (!h1.ok && !h4.ok)
    return {
      level: "unknown",
      availability30d: null,
      budgetRemaining: null,
      note: h1.ok ? undefined : h1.error.message,
    };
  const value = (r: typeof h1) => (r.ok ? r.value : null);
  const availability30d = value(d30);
  return {
    level: availabilityStatus(value(h1), value(h4)),
    availability30d,
    budgetRemaining: availability30d === null ? null : budgetRemaining(availability30d),
  };
}
