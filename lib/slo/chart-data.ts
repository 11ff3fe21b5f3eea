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

export interface SideBySideRow {
  name: string;
  /** Latest value per panel id; absent when the series has no recent value in that panel. */
  values: Record<string, number>;
}

/**
 * The latest values of each line that is serving traffic now, when two or more are (blue and
 * green, or canary and stable, while both run): the comparison people make during a deploy.
 * A line counts as serving when its request rate is above zero in the newest `freshRows` rows.
 */
export function sideBySide(
  panels: readonly { id: string; names: string[]; rows: ChartRow[] }[],
  freshRows = 2,
): SideBySideRow[] | null {
  const latest = (rows: ChartRow[], name: string): number | undefined => {
    for (const row of rows.slice(-freshRows).reverse()) if (row[name] !== undefined) return row[name];
    return undefined;
  };
  const requests = panels.find((p) => p.id === "requests");
  if (!requests) return null;
  const serving = requests.names.filter((name) => name !== "all" && (latest(requests.rows, name) ?? 0) > 0);
  if (serving.length < 2) return null;
  return serving.map((name) => ({
    name,
    values: Object.fromEntries(
      panels.flatMap((p) => {
        const value = latest(p.rows, name);
        return value === undefined ? [] : [[p.id, value]];
      }),
    ),
  }));
}
