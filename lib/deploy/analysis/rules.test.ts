import { describe, expect, it } from "vitest";
import { decide, type Measurements } from "@/lib/deploy/analysis/rules";

const healthy: Measurements = { requests: 600, error_rate: 0, latency_p95: 0.045, latency_p99: 0.09 };

describe("canary analysis decision", () => {
  it.each<[string, Measurements | null, "pass" | "fail" | "inconclusive", RegExp]>([
    [
      "healthy",
      healthy,
      "pass",
      /Error rate \(5xx\) 0\.000 % ≤ 0\.10 %; Latency P95 45 ms ≤ 300 ms; Latency P99 90 ms ≤ 1\.00 s/,
    ],
    [
      "the bad version",
      { requests: 580, error_rate: 0.2, latency_p95: 0.35, latency_p99: 0.42 },
      "fail",
      /Error rate \(5xx\) 20\.0 % > 0\.10 %; Latency P95 350 ms > 300 ms/,
    ],
    ["slow only at P99", { ...healthy, latency_p99: 1.4 }, "fail", /Latency P99 1\.40 s > 1\.00 s/],
    ["Prometheus down", null, "inconclusive", /Prometheus did not answer/],
    [
      "an idle canary",
      { ...healthy, requests: 12 },
      "inconclusive",
      /only 12 requests in the window \(at least 50 needed\)/,
    ],
    ["no request data", { ...healthy, requests: null }, "inconclusive", /no request data/],
    [
      "no request data, even with a quantile over the line",
      { ...healthy, requests: null, latency_p99: 2 },
      "inconclusive",
      /no request data/,
    ],
    ["a missing quantile", { ...healthy, latency_p99: null }, "inconclusive", /no data for Latency P99/],
    ["NaN from an empty histogram", { ...healthy, latency_p95: Number.NaN }, "inconclusive", /no data for Latency P95/],
    [
      "a breach on too few requests is not judged",
      { requests: 10, error_rate: 0.5, latency_p95: 0.01, latency_p99: 0.02 },
      "inconclusive",
      /only 10 requests in the window \(at least 50 needed\); not judged on Error rate \(5xx\) 50\.0 % > 0\.10 %/,
    ],
    [
      "a breach at exactly the minimum is judged",
      { requests: 50, error_rate: 0.02, latency_p95: 0.01, latency_p99: 0.02 },
      "fail",
      /^Error rate \(5xx\) 2\.0 % > 0\.10 %$/,
    ],
  ])("%s → %s", (_name, measurements, verdict, summary) => {
    const decision = decide(measurements);
    expect(decision.verdict).toBe(verdict);
    expect(decision.summary).toMatch(summary);
  });

  it("uses the rules it is given", () => {
    expect(decide({ ...healthy, latency_p95: 0.12 }, [{ sli: "latency_p95", max: 0.1 }]).verdict).toBe("fail");
  });
});
