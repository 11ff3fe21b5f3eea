import { describe, expect, it } from "vitest";
import { seriesName, toRows } from "@/lib/slo/chart-data";
import { panels, rangeSettings } from "@/lib/slo/panels";

describe("chart data", () => {
  it("names lines after colour and track", () => {
    expect(seriesName({ color: "green" })).toBe("green");
    expect(seriesName({ track: "canary" })).toBe("canary");
    expect(seriesName({})).toBe("all");
  });

  it("merges series into rows by time and drops NaN and infinities", () => {
    const { names, rows } = toRows([
      { labels: { color: "green" }, points: [[1000, 0.1], [2000, Number.NaN], [3000, 0.3]] },
      { labels: { color: "blue" }, points: [[1000, 0.2], [2000, 0.25], [3000, Number.POSITIVE_INFINITY]] },
    ]);
    expect(names).toEqual(["blue", "green"]);
    expect(rows).toEqual([
      { t: 1000, green: 0.1, blue: 0.2 },
      { t: 2000, blue: 0.25 },
      { t: 3000, green: 0.3 },
    ]);
  });

  it("keeps an empty chart empty", () => {
    expect(toRows([])).toEqual({ names: [], rows: [] });
  });

  it.each([
    ["15m", 15, "60s"],
    ["1h", 30, "60s"],
    ["6h", 180, "360s"],
    ["24h", 720, "1440s"],
    ["7d", 5040, "10080s"],
  ] as const)("range %s → step %i s, window %s", (range, step, window) => {
    expect(rangeSettings(range)).toMatchObject({ step, window });
  });

  it("builds histogram quantiles the right way round", () => {
    const p95 = panels('app="checkout"', "60s").find((p) => p.id === "p95")!;
    expect(p95.query).toBe('histogram_quantile(0.95, sum by (le, color, track) (rate(http_request_duration_seconds_bucket{app="checkout"}[60s])))');
  });
});
