import type { MetricsRow, PeriodMetrics } from "@/lib/history/metrics";
import { PRODUCTION } from "@/lib/history/metrics";

const round = (value: number | null, digits: number) => (value === null ? "" : Number(value.toFixed(digits)));
const hours = (seconds: number | null) => (seconds === null ? "" : Number((seconds / 3600).toFixed(3)));

function periodColumns(prefix: "current" | "previous", m: PeriodMetrics): Record<string, string | number> {
  return {
    [`${prefix}_from`]: m.from.toISOString(),
    [`${prefix}_to`]: m.to.toISOString(),
    [`${prefix}_production_deploys`]: m.deploys,
    [`${prefix}_deploys_per_day`]: round(m.perDay, 4),
    [`${prefix}_deploys_per_week`]: round(m.perWeek, 4),
    [`${prefix}_deployment_frequency_band`]: m.frequencyBand ?? "",
    [`${prefix}_lead_time_median_hours`]: hours(m.leadTimeSeconds),
    [`${prefix}_lead_time_band`]: m.leadTimeBand ?? "",
    [`${prefix}_commit_lead_time_median_hours`]: hours(m.commitLeadTimeSeconds),
    [`${prefix}_failed_deploys`]: m.failures,
    [`${prefix}_change_failure_rate_percent`]: m.changeFailureRate === null ? "" : round(m.changeFailureRate * 100, 2),
    [`${prefix}_change_failure_rate_band`]: m.changeFailureBand ?? "",
    [`${prefix}_recovery_time_median_hours`]: hours(m.recoverySeconds),
    [`${prefix}_recovery_time_band`]: m.recoveryBand ?? "",
    [`${prefix}_unrecovered_failures`]: m.unrecovered,
  };
}

/** One record per row (overall first), both periods side by side; empty cells where there is no figure. */
export function metricsCsvRows(
  rows: readonly (MetricsRow & { name: string })[],
  environment = PRODUCTION,
): Record<string, string | number>[] {
  return rows.map((row) => ({
    service: row.serviceId === null ? "(all services)" : row.name,
    environment,
    ...periodColumns("current", row.current),
    ...periodColumns("previous", row.previous),
  }));
}
