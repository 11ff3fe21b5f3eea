import { assertMetrics, DEFAULT_METRICS } from "@/lib/prometheus/promql";
import type { SliName } from "@/lib/slo/thresholds";

export const RANGES = { "15m": 15 * 60, "1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600, "7d": 7 * 24 * 3600 } as const;
export type RangeName = keyof typeof RANGES;

/** Step and rate window per range: about 120 points a chart, rates over at least a minute. */
export function rangeSettings(range: RangeName): { seconds: number; step: number; window: string } {
  const seconds = RANGES[range];
  const step = Math.max(15, Math.round(seconds / 120 / 15) * 15);
  return { seconds, step, window: `${Math.max(60, step * 2)}s` };
}

export interface Panel {
  id: "requests" | "errors" | "p95" | "p99" | "cpu" | "memory";
  title: string;
  sli: SliName | null;
  unit: "rps" | "ratio" | "seconds";
  query: string;
}

// Split by colour and track, so blue and green (or canary and stable) show side by side while
// both run; a service with neither label gets one line.
const BY = "color, track";

/** The service page's SLI panels for one label selector. */
export function panels(selector: string, window: string, m = DEFAULT_METRICS): Panel[] {
  assertMetrics(m);
  const errorsSel = selector ? `${selector},${m.statusLabel}=~"5.."` : `${m.statusLabel}=~"5.."`;
  const labelledSel = selector ? `${selector},${m.statusLabel}!=""` : `${m.statusLabel}!=""`;
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (le, ${BY}) (rate(${m.duration}_bucket{${selector}}[${window}])))`;
  return [
    {
      id: "requests",
      title: "Request rate",
      sli: null,
      unit: "rps",
      query: `sum by (${BY}) (rate(${m.requests}{${selector}}[${window}]))`,
    },
    {
      id: "errors",
      title: "Error rate (5xx share)",
      sli: "error_rate",
      unit: "ratio",
      query: `(sum by (${BY}) (rate(${m.requests}{${errorsSel}}[${window}])) or (0 * sum by (${BY}) (rate(${m.requests}{${labelledSel}}[${window}])))) / sum by (${BY}) (rate(${m.requests}{${selector}}[${window}]))`,
    },
    { id: "p95", title: "Latency P95", sli: "latency_p95", unit: "seconds", query: quantile(0.95) },
    { id: "p99", title: "Latency P99", sli: "latency_p99", unit: "seconds", query: quantile(0.99) },
    { id: "cpu", title: "CPU", sli: "cpu", unit: "ratio", query: `avg by (${BY}) (${m.cpu}{${selector}})` },
    { id: "memory", title: "Memory", sli: "memory", unit: "ratio", query: `avg by (${BY}) (${m.memory}{${selector}})` },
  ];
}
