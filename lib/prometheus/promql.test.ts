import { describe, expect, it } from "vitest";
import {
  availability,
  cpuUsage,
  errorRatio,
  isValidSelector,
  latencyQuantile,
  requestCount,
  requestRate,
  withLabels,
} from "@/lib/prometheus/promql";

const SEL = 'app="checkout",namespace="shop-production"';

describe("PromQL templates", () => {
  it("builds the SLI queries", () => {
    expect(requestRate(SEL, "1m")).toBe(
      'sum(rate(http_requests_total{app="checkout",namespace="shop-production"}[1m]))',
    );
    expect(requestCount(SEL, "5m")).toBe(
      'sum(increase(http_requests_total{app="checkout",namespace="shop-production"}[5m]))',
    );
    expect(errorRatio(SEL, "5m")).toBe(
      '(sum(rate(http_requests_total{app="checkout",namespace="shop-production",status=~"5.."}[5m])) or (0 * sum(rate(http_requests_total{app="checkout",namespace="shop-production",status!=""}[5m])))) / sum(rate(http_requests_total{app="checkout",namespace="shop-production"}[5m]))',
    );
    expect(latencyQuantile(0.95, SEL, "5m")).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{app="checkout",namespace="shop-production"}[5m])))',
    );
    expect(cpuUsage(SEL)).toBe('avg(process_cpu_usage_ratio{app="checkout",namespace="shop-production"})');
    expect(availability(SEL, "30d")).toBe(`1 - (${errorRatio(SEL, "30d")})`);
  });

  it("narrows a selector to one track or colour", () => {
    expect(withLabels(SEL, { track: "canary" })).toBe(`${SEL},track="canary"`);
    expect(withLabels("", { color: "green" })).toBe('color="green"');
    expect(withLabels(SEL, { version: 'a"b' })).toBe(`${SEL},version="a\\"b"`);
  });

  it.each([
    ['app="checkout"', true],
    ['app="checkout", namespace!="kube-system"', true],
    ['status=~"5..",app="x"', true],
    ["", true],
    ['app="checkout"}) or vector(1) #', false],
    ["app=checkout", false],
    ['app="checkout"}[5m]', false],
    ['1app="x"', false],
  ])("selector %j valid: %s", (selector, valid) => {
    expect(isValidSelector(selector)).toBe(valid);
  });

  it("refuses bad selectors, windows and quantiles instead of building a query", () => {
    expect(() => requestRate('app="x"}) or vector(1) #', "5m")).toThrow(/not a PromQL label selector/);
    expect(() => requestRate(SEL, "5 minutes")).toThrow(/not a PromQL range/);
    expect(() => latencyQuantile(95, SEL, "5m")).toThrow(/quantile/);
  });
});
