import type { PrometheusGateway } from "@/lib/prometheus/client";
import { availability, DEFAULT_METRICS, isValidSelector, type MetricNames } from "@/lib/prometheus/promql";
import { budgetRemaining, DEFAULT_AVAILABILITY_SLO, type AvailabilitySlo } from "@/lib/slo/error-budget";

/** A service's availability error budget over the SLO window, or why it could not be read. */
export type ErrorBudgetReading =
  | { known: true; availability: number; remaining: number; slo: AvailabilitySlo }
  | { known: false; reason: string };

/**
 * One instant query for the availability over the SLO window. It is the overview's 30-day
 * query verbatim, so the gateway answers both (and every concurrent gate check) from one
 * upstream request per refresh interval.
 */
export async function readErrorBudget(
  selector: string | null,
  gateway: PrometheusGateway | null,
  slo: AvailabilitySlo = DEFAULT_AVAILABILITY_SLO,
  m: MetricNames = DEFAULT_METRICS,
): Promise<ErrorBudgetReading> {
  if (!gateway) return { known: false, reason: "Prometheus is not configured" };
  if (!selector || !isValidSelector(selector))
    return { known: false, reason: "the service has no valid metrics selector" };
  let query: string;
  try {
    query = availability(selector, `${slo.windowDays}d`, m);
  } catch (error) {
    return { known: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const result = await gateway.scalar(query);
  if (!result.ok) return { known: false, reason: result.error.message };
  if (result.value === null)
    return { known: false, reason: `Prometheus has no requests for it over ${slo.windowDays} days` };
  return { known: true, availability: result.value, remaining: budgetRemaining(result.value, slo), slo };
}
