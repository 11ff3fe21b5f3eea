import { describe, expect, it } from "vitest";
import {
  canaryStepsProblem,
  FORM_DEFAULTS,
  promqlFieldErrors,
  serviceTargetSettingsSchema,
  toFormValues,
} from "@/lib/schemas/service-targets";

// As the browser sends it: text as typed.
const form = {
  targetId: "cm1abc",
  metricsSelector: 'app="checkout",namespace="shop-production"',
  requestsMetric: "http_requests_total",
  durationMetric: "http_request_duration_seconds",
  statusLabel: "status",
  cpuMetric: "process_cpu_usage_ratio",
  memoryMetric: "process_memory_usage_ratio",
  maxErrorRatePercent: "0.5",
  maxLatencyP95Ms: "250",
  maxLatencyP99Ms: "800",
  minRequests: "100",
  verifyWindowSeconds: "600",
  autoRollback: true,
  canarySteps: "5, 25, 50, 100",
  canaryPauseSeconds: "60",
};

function errors(change: Record<string, unknown>) {
  const result = serviceTargetSettingsSchema.safeParse({ ...form, ...change });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("serviceTargetSettingsSchema", () => {
  it("accepts a complete form and stores ratios and seconds", () => {
    expect(serviceTargetSettingsSchema.parse(form)).toEqual({
      targetId: "cm1abc",
      metricsSelector: 'app="checkout",namespace="shop-production"',
      requestsMetric: "http_requests_total",
      durationMetric: "http_request_duration_seconds",
      statusLabel: "status",
      cpuMetric: "process_cpu_usage_ratio",
      memoryMetric: "process_memory_usage_ratio",
      maxErrorRate: 0.005,
      maxLatencyP95: 0.25,
      maxLatencyP99: 0.8,
      minRequests: 100,
      verifyWindowSeconds: 600,
      autoRollback: true,
      canarySteps: [5, 25, 50, 100],
      canaryPauseSeconds: 60,
    });
  });

  it("takes numbers as well as text, and keeps converted values round", () => {
    const parsed = serviceTargetSettingsSchema.parse({
      ...form,
      maxErrorRatePercent: 0.07,
      maxLatencyP95Ms: 123,
      minRequests: 30,
      verifyWindowSeconds: 0,
      canarySteps: [10, 100],
      canaryPauseSeconds: 20,
    });
    expect(parsed).toMatchObject({
      maxErrorRate: 0.0007,
      maxLatencyP95: 0.123,
      minRequests: 30,
      verifyWindowSeconds: 0,
      canarySteps: [10, 100],
      canaryPauseSeconds: 20,
    });
  });

  it("reads empty thresholds as the defaults (null) and empty names as the default names", () => {
    const parsed = serviceTargetSettingsSchema.parse({
      ...form,
      maxErrorRatePercent: "",
      maxLatencyP95Ms: " ",
      maxLatencyP99Ms: null,
      minRequests: "",
      requestsMetric: "",
      durationMetric: "  ",
      statusLabel: "",
      cpuMetric: "",
      memoryMetric: "",
    });
    expect(parsed).toMatchObject({
      maxErrorRate: null,
      maxLatencyP95: null,
      maxLatencyP99: null,
      minRequests: null,
      requestsMetric: FORM_DEFAULTS.requestsMetric,
      durationMetric: FORM_DEFAULTS.durationMetric,
      statusLabel: "status",
      cpuMetric: FORM_DEFAULTS.cpuMetric,
      memoryMetric: FORM_DEFAULTS.memoryMetric,
    });
  });

  it("reads an empty selector as none, trims one that is set, and takes recording-rule names", () => {
    expect(serviceTargetSettingsSchema.parse({ ...form, metricsSelector: "   " }).metricsSelector).toBeNull();
    expect(serviceTargetSettingsSchema.parse({ ...form, metricsSelector: ' app="x" ' }).metricsSelector).toBe(
      'app="x"',
    );
    expect(
      serviceTargetSettingsSchema.parse({ ...form, requestsMetric: "job:http_requests:total" }).requestsMetric,
    ).toBe("job:http_requests:total");
  });

  it("tidies canary steps typed with percent signs or spaces", () => {
    expect(serviceTargetSettingsSchema.parse({ ...form, canarySteps: "10%, 50 %,100" }).canarySteps).toEqual([
      10, 50, 100,
    ]);
    expect(serviceTargetSettingsSchema.parse({ ...form, canarySteps: " 25,100 " }).canarySteps).toEqual([25, 100]);
  });

  it.each([
    [
      "a selector that closes the braces and adds a query",
      { metricsSelector: 'app="x"}) or vector(1) #' },
      "metricsSelector: Use label matchers only",
    ],
    ["a selector with a bare value", { metricsSelector: "app=checkout" }, "metricsSelector: Use label matchers only"],
    [
      "a selector with a newline in a value",
      { metricsSelector: 'app="a\nb"' },
      "metricsSelector: Use label matchers only",
    ],
    [
      "a selector that is too long",
      { metricsSelector: `app="${"x".repeat(600)}"` },
      "metricsSelector: The selector can be at most 500 characters.",
    ],
    [
      "a metric name with braces",
      { requestsMetric: "http_requests_total{}" },
      "requestsMetric: Requests metric: letters, digits, _ and :",
    ],
    ["a metric name starting with a digit", { cpuMetric: "1cpu" }, "cpuMetric: CPU metric: letters, digits"],
    ["a metric name with a space", { memoryMetric: "memory usage" }, "memoryMetric: Memory metric: letters, digits"],
    [
      "the histogram's _bucket series",
      { durationMetric: "http_request_duration_seconds_bucket" },
      "durationMetric: Enter the histogram's base name without _bucket",
    ],
    [
      "a status label with a colon",
      { statusLabel: "http:status" },
      "statusLabel: Status label: letters, digits and _ only",
    ],
    [
      "a zero error rate",
      { maxErrorRatePercent: "0" },
      "maxErrorRatePercent: Error rate limit must be above 0 % and at most 50 %.",
    ],
    ["a negative error rate", { maxErrorRatePercent: "-1" }, "maxErrorRatePercent: Error rate limit must be above 0 %"],
    [
      "an error rate above 50 %",
      { maxErrorRatePercent: "60" },
      "maxErrorRatePercent: Error rate limit must be above 0 % and at most 50 %.",
    ],
    [
      "an error rate that is not a number",
      { maxErrorRatePercent: "0.1%" },
      "maxErrorRatePercent: Error rate limit: enter a percentage",
    ],
    ["a P95 limit of zero", { maxLatencyP95Ms: "0" }, "maxLatencyP95Ms: P95 limit must be from 1 to 60000 ms."],
    [
      "a P99 limit over a minute",
      { maxLatencyP99Ms: "60001" },
      "maxLatencyP99Ms: P99 limit must be from 1 to 60000 ms.",
    ],
    ["a latency in words", { maxLatencyP95Ms: "fast" }, "maxLatencyP95Ms: P95 limit: enter milliseconds"],
    [
      "a P99 limit below the P95 limit",
      { maxLatencyP95Ms: "500", maxLatencyP99Ms: "400" },
      "maxLatencyP99Ms: P99 limit must be at least the P95 limit (500 ms).",
    ],
    [
      "a P95 limit above the default P99 limit",
      { maxLatencyP95Ms: "3000", maxLatencyP99Ms: "" },
      "maxLatencyP95Ms: P95 limit must not exceed the P99 limit (1000 ms, the default).",
    ],
    [
      "a fractional minimum request count",
      { minRequests: "2.5" },
      "minRequests: Minimum requests is a whole number from 1 to 100000.",
    ],
    [
      "a minimum request count of zero",
      { minRequests: "0" },
      "minRequests: Minimum requests is a whole number from 1 to 100000.",
    ],
    [
      "too many minimum requests",
      { minRequests: "100001" },
      "minRequests: Minimum requests is a whole number from 1 to 100000.",
    ],
    [
      "an empty verification window",
      { verifyWindowSeconds: "" },
      "verifyWindowSeconds: Verification window is required.",
    ],
    [
      "a negative verification window",
      { verifyWindowSeconds: "-1" },
      "verifyWindowSeconds: Verification window is a whole number from 0 to 86400 seconds (0 turns it off).",
    ],
    [
      "a verification window over a day",
      { verifyWindowSeconds: "86401" },
      "verifyWindowSeconds: Verification window is a whole number from 0 to 86400",
    ],
    [
      "a verification window in words",
      { verifyWindowSeconds: "ten minutes" },
      "verifyWindowSeconds: Verification window is a whole number",
    ],
    [
      "automatic rollback as text",
      { autoRollback: "yes" },
      "autoRollback: Choose whether a breach rolls back automatically.",
    ],
    [
      "steps that do not end with 100",
      { canarySteps: "5, 25, 50" },
      "canarySteps: The last step must be 100 (the full rollout).",
    ],
    [
      "steps that go down",
      { canarySteps: "5, 50, 25, 100" },
      "canarySteps: Each step must be larger than the one before.",
    ],
    ["a repeated step", { canarySteps: "25, 25, 100" }, "canarySteps: Each step must be larger than the one before."],
    ["a step above 100", { canarySteps: "50, 150" }, "canarySteps: Each step is a whole percent from 1 to 100."],
    ["a step of zero", { canarySteps: "0, 100" }, "canarySteps: Each step is a whole percent from 1 to 100."],
    ["a fractional step", { canarySteps: "2.5, 100" }, "canarySteps: Each step is a whole percent from 1 to 100."],
    ["a step in words", { canarySteps: "five, 100" }, "canarySteps: Each step is a whole percent from 1 to 100."],
    ["no steps", { canarySteps: " , " }, "canarySteps: Enter at least one step"],
    ["eleven steps", { canarySteps: "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100" }, "canarySteps: At most 10 steps."],
    [
      "a pause under 20 s (too few scrapes to judge)",
      { canaryPauseSeconds: "19" },
      "canaryPauseSeconds: Pause per step is a whole number from 20 to 3600 seconds.",
    ],
    [
      "a pause over an hour",
      { canaryPauseSeconds: "3601" },
      "canaryPauseSeconds: Pause per step is a whole number from 20 to 3600 seconds.",
    ],
    ["a malformed target id", { targetId: "x'; drop table" }, "targetId: Not a valid id."],
  ])("refuses %s", (_name, change, message) => {
    expect(errors(change).join("\n")).toContain(message);
  });
});

describe("canaryStepsProblem", () => {
  it.each([
    [[5, 25, 50, 100], null],
    [[100], "Add at least one step below 100, e.g. 25, 100: that step is where the canary is judged."],
    [[25, 100], null],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 100], null],
    [[], "Enter at least one step, e.g. 5, 25, 50, 100."],
    [[50, 100, 100], "Each step must be larger than the one before."],
    [[5, 99], "The last step must be 100 (the full rollout)."],
  ])("%j → %s", (steps, problem) => {
    expect(canaryStepsProblem(steps)).toBe(problem);
  });
});

describe("promqlFieldErrors", () => {
  const safe = {
    metricsSelector: 'app="checkout"',
    requestsMetric: "a",
    durationMetric: "b",
    statusLabel: "code",
    cpuMetric: "c",
    memoryMetric: "d",
  };

  it("passes names and selectors that are safe in a query, including no selector", () => {
    expect(promqlFieldErrors(safe)).toEqual({});
    expect(promqlFieldErrors({ ...safe, metricsSelector: null })).toEqual({});
  });

  it("names every field that could change a query", () => {
    expect(
      Object.keys(
        promqlFieldErrors({
          metricsSelector: 'app="x"} or vector(1)',
          requestsMetric: "a{}",
          durationMetric: "b)",
          statusLabel: "c=",
          cpuMetric: "",
          memoryMetric: "m m",
        }),
      ),
    ).toEqual(["metricsSelector", "requestsMetric", "durationMetric", "cpuMetric", "memoryMetric", "statusLabel"]);
  });
});

describe("toFormValues", () => {
  it("shows stored ratios and seconds in form units and leaves defaults empty", () => {
    const stored = {
      ...serviceTargetSettingsSchema.parse({ ...form, maxErrorRatePercent: "0.07", maxLatencyP99Ms: "" }),
      targetId: undefined,
    };
    const values = toFormValues(stored);
    expect(values).toMatchObject({
      maxErrorRatePercent: "0.07",
      maxLatencyP95Ms: "250",
      maxLatencyP99Ms: "",
      minRequests: "100",
      canarySteps: "5, 25, 50, 100",
      verifyWindowSeconds: "600",
    });
    // What the form shows parses back to what is stored.
    expect(serviceTargetSettingsSchema.parse({ targetId: "cm1abc", ...values })).toMatchObject({
      maxErrorRate: 0.0007,
      maxLatencyP95: 0.25,
      maxLatencyP99: null,
    });
  });
});
