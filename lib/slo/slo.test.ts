import { describe, expect, it } from "vitest";
import { PrometheusGateway } from "@/lib/prometheus/client";
import { readErrorBudget } from "@/lib/slo/budget-reading";
import {
  availabilityStatus,
  budgetMinutes,
  budgetRemaining,
  burnRate,
  formatAvailability,
  latencyStatus,
} from "@/lib/slo/error-budget";
import { classify, formatSli } from "@/lib/slo/thresholds";

describe("error budget", () => {
  it("allows about 22 minutes a month at 99.95 %", () => {
    expect(budgetMinutes()).toBeCloseTo(21.6, 1);
  });

  it.each([
    [1, 1],
    [0.9995, 0],
    [0.99975, 0.5],
    [0.999, -1],
  ])("availability %f leaves %f of the budget", (availability, remaining) => {
    expect(budgetRemaining(availability)).toBeCloseTo(remaining, 6);
  });

  it.each([
    [0.0005, 1],
    [0.001, 2],
    [0.0072, 14.4],
    [0, 0],
  ])("error ratio %f burns at %fx", (ratio, rate) => {
    expect(burnRate(ratio)).toBeCloseTo(rate, 6);
  });

  it.each<[number | null, number | null, string]>([
    [0.9999, 0.9999, "ok"],
    [0.995, 0.9985, "warning"],
    [0.985, 0.9999, "critical"],
    [null, 0.9989, "warning"],
    [null, null, "unknown"],
  ])("1h %s and 4h %s availability → %s", (h1, h4, level) => {
    expect(availabilityStatus(h1, h4)).toBe(level);
  });
});

describe("reading the error budget", () => {
  it.each([
    [0.99312, "99.31 %"],
    [0.999499, "99.94 %"],
    [0.9995, "99.95 %"],
    [1, "100.00 %"],
  ])("formats availability %f as %s, never rounding up", (ratio, text) => {
    expect(formatAvailability(ratio)).toBe(text);
  });

  it("is unknown, without asking Prometheus, when there is no Prometheus or no usable selector", async () => {
    let asked = 0;
    const gateway = new PrometheusGateway("http://prometheus.invalid", {
      fetch: async () => {
        asked += 1;
        throw new Error("not called");
      },
    });
    expect(await readErrorBudget('app="checkout"', null)).toEqual({
      known: false,
      reason: "Prometheus is not configured",
    });
    expect(await readErrorBudget(null, gateway)).toEqual({
      known: false,
      reason: "the service has no valid metrics selector",
    });
    expect(await readErrorBudget('app="x"}) or vector(1) #', gateway)).toEqual({
      known: false,
      reason: "the service has no valid metrics selector",
    });
    expect(asked).toBe(0);
  });
});

describe("latency SLO", () => {
  const now = Date.parse("2026-11-21T12:00:00Z");
  const series = (minutes: number, value: number) =>
    Array.from({ length: minutes + 1 }, (_, i) => [now - (minutes - i) * 60_000, value] as [number, number]);
  it("is critical above 500 ms for 5 minutes, warning above 200 ms for 10", () => {
    expect(latencyStatus(series(6, 0.6), now)).toBe("critical");
    expect(latencyStatus(series(11, 0.25), now)).toBe("warning");
    expect(latencyStatus(series(11, 0.09), now)).toBe("ok");
  });
  it("needs the whole stretch, not one spike", () => {
    const spiky = series(11, 0.09).map(([t, v], i) => [t, i === 10 ? 0.9 : v] as [number, number]);
    expect(latencyStatus(spiky, now)).toBe("ok");
    expect(latencyStatus(series(3, 0.9), now)).toBe("ok");
    expect(latencyStatus([], now)).toBe("unknown");
  });
});

describe("SLI thresholds", () => {
  it.each([
    ["latency_p95", 0.09, "ok"],
    ["latency_p95", 0.2, "warning"],
    ["latency_p95", 0.31, "critical"],
    ["error_rate", 0.0003, "ok"],
    ["error_rate", 0.0008, "warning"],
    ["error_rate", 0.2, "critical"],
    ["cpu", 0.72, "warning"],
    ["memory", 0.95, "critical"],
  ] as const)("%s %f → %s", (sli, value, level) => {
    expect(classify(sli, value)).toBe(level);
  });
  it("formats values for people", () => {
    expect(formatSli("latency_p95", 0.142)).toBe("142 ms");
    expect(formatSli("latency_p99", 1.5)).toBe("1.50 s");
    expect(formatSli("error_rate", 0.0008)).toBe("0.080 %");
    expect(formatSli("error_rate", 0.2)).toBe("20.0 %");
    expect(formatSli("cpu", 0.634)).toBe("63.4 %");
  });
});
