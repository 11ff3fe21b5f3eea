import { describe, expect, it } from "vitest";
import { seriesName, sideBySide, toRows, type ChartRow } from "@/lib/slo/chart-data";
import { panels, rangeSettings } from "@/lib/slo/panels";

describe("chart data", () => {
  it("names lines after colour and track", () => {
    expect(seriesName({ color: "green" })).toBe("green");
    expect(seriesName({ track: "canary" })).toBe("canary");
    expect(seriesName({})).toBe("all");
  });

  it("merges series into rows by time and drops NaN and infinities", () => {
    const { names, rows } = toRows([
      {
        labels: { color: "green" },
        points: [
          [1000, 0.1],
          [2000, Number.NaN],
          [3000, 0.3],
        ],
      },
      {
        labels: { color: "blue" },
        points: [
          [1000, 0.2],
          [2000, 0.25],
          [3000, Number.POSITIVE_INFINITY],
        ],
      },
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
    expect(p95.query).toBe(
      'histogram_quantile(0.95, sum by (le, color, track) (rate(http_request_duration_seconds_bucket{app="checkout"}[60s])))',
    );
  });
});

describe("side by side", () => {
  const requests = {
    id: "requests",
    names: ["canary", "stable"],
    rows: [{ t: 1, stable: 10 } as ChartRow, { t: 2, stable: 9, canary: 3 }, { t: 3, stable: 9.5, canary: 3.2 }],
  };
  const errors = {
    id: "errors",
    names: ["canary", "stable"],
    rows: [
      { t: 2, stable: 0, canary: 0.2 },
      { t: 3, stable: 0, canary: 0.19 },
    ],
  };

  it("compares the latest values of every line serving traffic", () => {
    expect(sideBySide([requests, errors])).toEqual([
      { name: "canary", values: { requests: 3.2, errors: 0.19 } },
      { name: "stable", values: { requests: 9.5, errors: 0 } },
    ]);
  });

  it("is empty while only one line serves (an idle colour at zero, or an old line)", () => {
    const idle = {
      id: "requests",
      names: ["blue", "green"],
      rows: [
        { t: 1, blue: 5, green: 0 },
        { t: 2, blue: 5, green: 0 },
      ],
    };
    expect(sideBySide([idle])).toBeNull();
    const gone = {
      id: "requests",
      names: ["canary", "stable"],
      rows: [{ t: 1, canary: 3, stable: 9 } as ChartRow, { t: 2, stable: 9 }, { t: 3, stable: 9 }],
    };
    expect(sideBySide([gone])).toBeNull();
    expect(sideBySide([{ id: "requests", names: ["all"], rows: [{ t: 1, all: 4 }] }])).toBeNull();
  });

  it("leaves out a panel the line has no recent value in", () => {
    const p99 = { id: "p99", names: ["canary", "stable"], rows: [{ t: 3, stable: 0.09 }] };
    expect(sideBySide([requests, p99])?.[0]).toEqual({ name: "canary", values: { requests: 3.2 } });
  });
});
