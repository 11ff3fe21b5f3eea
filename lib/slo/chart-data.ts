import type { Series } from "@/lib/prometheus/client";

export interface ChartRow {
  t: number;
  [series: string]: number;
}

/** "green", "canary", "green canary" or "all": what a line is called in the legend. */
export function seriesName(labels: Record<string, string>): string {
  const parts = [labels.color, labels.track].filter((v): v is string => Boolean(v));
  return parts.length ? parts.join(" ") : "all";
}

/**
 * Prometheus matrices to chart rows: one row per timestamp, one key per series; NaN and
 * infinities (empty histograms, 0/0) are left out, so lines break instead of lying.
 */
export function toRows(series: readonly Series[]): { names: string[]; rows: ChartRow[] } {
  const byTime = new Map<number, ChartRow>();
  const names: string[] = [];
  for (const s of series) {
    const name = seriesName(s.labels);
    if (!names.includes(name)) names.push(name);
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      const row = byTime.get(t) ?? { t };
      row[name] = v;
      byTime.set(t, row);
    }
  }
  names.sort((a, b) => (a === "all" ? -1 : b === "all" ? 1 : a.localeCompare(b)));
  return { names, rows: [...byTime.values()].sort((a, b) => a.t - b.t) };
}
