/** The SLI table from DESIGN.md: target, warning and critical per indicator. */
export type SliName = "latency_p95" | "latency_p99" | "error_rate" | "cpu" | "memory";
export type Level = "ok" | "warning" | "critical";

export interface SliThreshold {
  label: string;
  unit: "seconds" | "ratio";
  /** The target band (values inside are healthy). */
  target: { max: number; min?: number };
  warning: number;
  critical: number;
}

export const SLI_THRESHOLDS: Record<SliName, SliThreshold> = {
  latency_p95: { label: "Latency P95", unit: "seconds", target: { max: 0.1 }, warning: 0.15, critical: 0.3 },
  latency_p99: { label: "Latency P99", unit: "seconds", target: { max: 0.3 }, warning: 0.5, critical: 1.0 },
  error_rate: { label: "Error rate (5xx)", unit: "ratio", target: { max: 0.0001 }, warning: 0.0005, critical: 0.001 },
  cpu: { label: "CPU", unit: "ratio", target: { min: 0.4, max: 0.6 }, warning: 0.7, critical: 0.85 },
  memory: { label: "Memory", unit: "ratio", target: { min: 0.5, max: 0.7 }, warning: 0.8, critical: 0.9 },
};

/** "critical" above the critical line, "warning" above the warning line, else "ok". */
export function classify(sli: SliName, value: number): Level {
  const t = SLI_THRESHOLDS[sli];
  if (value > t.critical) return "critical";
  if (value > t.warning) return "warning";
  return "ok";
}

/** Readable values for tooltips and messages: "142 ms", "0.08 %", "63 %". */
export function formatSli(sli: SliName, value: number): string {
  if (SLI_THRESHOLDS[sli].unit === "seconds")
    return value >= 1 ? `${value.toFixed(2)} s` : `${Math.round(value * 1000)} ms`;
  const percent = value * 100;
  return `${percent < 1 ? percent.toFixed(percent < 0.1 ? 3 : 2) : percent.toFixed(1)} %`;
}
