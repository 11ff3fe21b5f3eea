import { describe, expect, it } from "vitest";
import { analysisRules, metricNames } from "@/lib/deploy/targets";
import { errorRatio } from "@/lib/prometheus/promql";
import { panels } from "@/lib/slo/panels";

const names = {
  requestsMetric: "http_server_requests_seconds_count",
  durationMetric: "http_server_requests_seconds",
  statusLabel: "code",
  cpuMetric: "cpu",
  memoryMetric: "mem",
};

describe("a target's analysis settings", () => {
  it("uses the SLI table's critical lines where the target sets nothing", () => {
    expect(analysisRules({ maxErrorRate: null, maxLatencyP95: null, maxLatencyP99: null })).toEqual([
      { sli: "error_rate", max: 0.001 },
      { sli: "latency_p95", max: 0.3 },
      { sli: "latency_p99", max: 1 },
    ]);
  });

  it("uses the target's own limits where set", () => {
    expect(analysisRules({ maxErrorRate: 0.01, maxLatencyP95: null, maxLatencyP99: 2 })).toEqual([
      { sli: "error_rate", max: 0.01 },
      { sli: "latency_p95", max: 0.3 },
      { sli: "latency_p99", max: 2 },
    ]);
  });

  it("builds the PromQL templates from the target's metric names", () => {
    const m = metricNames(names);
    expect(errorRatio('app="a"', "1m", m)).toBe(
      '(sum(rate(http_server_requests_seconds_count{app="a",code=~"5.."}[1m])) or (0 * sum(rate(http_server_requests_seconds_count{app="a",code!=""}[1m])))) / sum(rate(http_server_requests_seconds_count{app="a"}[1m]))',
    );
    expect(panels('app="a"', "1m", m).find((p) => p.id === "p95")?.query).toContain(
      'http_server_requests_seconds_bucket{app="a"}',
    );
  });

  it("refuses metric and label names that would inject PromQL", () => {
    expect(() => errorRatio('app="a"', "1m", metricNames({ ...names, requestsMetric: "up} or vector(1) #" }))).toThrow(
      /not a metric name/,
    );
    expect(() => panels('app="a"', "1m", metricNames({ ...names, statusLabel: 'code="x"' }))).toThrow(
      /not a label name/,
    );
  });
});
