import { describe, expect, it } from "vitest";
import { apiServerStatus, describeCheck, judge, type SmokeCheckSpec } from "@/lib/deploy/smoke/checks";
import { smokeCheckSchema } from "@/lib/schemas/smoke-checks";

const health: SmokeCheckSpec = {
  name: "health",
  method: "GET",
  path: "/healthz",
  expectedStatus: 200,
  jsonField: "status",
  jsonEquals: "ok",
  timeoutMs: 5000,
};

describe("judge", () => {
  it.each([
    [
      "passes on the expected status and field",
      health,
      { kind: "answer", status: 200, body: '{"status":"ok"}' },
      true,
      /answered 200 as expected/,
    ],
    [
      "fails on another status, with the body's start",
      health,
      { kind: "answer", status: 503, body: "upstream down" },
      false,
      /answered 503, expected 200; body: upstream down/,
    ],
    [
      "fails on the field's value",
      health,
      { kind: "answer", status: 200, body: '{"status":"degraded","checks":{"database":"failing"}}' },
      false,
      /status = degraded, expected ok; body: \{"status":"degraded"/,
    ],
    [
      "fails on a missing field",
      health,
      { kind: "answer", status: 200, body: "{}" },
      false,
      /status = missing, expected ok/,
    ],
    ["fails on a body that is not JSON", health, { kind: "answer", status: 200, body: "<html>" }, false, /not JSON/],
    [
      "reads a nested field",
      { ...health, jsonField: "checks.database", jsonEquals: "ok" },
      { kind: "answer", status: 200, body: '{"checks":{"database":"ok"}}' },
      true,
      /as expected/,
    ],
    [
      "compares numbers and booleans as JSON text",
      { ...health, jsonField: "ready", jsonEquals: "true" },
      { kind: "answer", status: 200, body: '{"ready":true}' },
      true,
      /as expected/,
    ],
    [
      "fails without the text",
      { ...health, jsonField: null, bodyContains: "pong" },
      { kind: "answer", status: 200, body: "ping" },
      false,
      /without "pong" in the body/,
    ],
    [
      "reports the API server's refusal as such",
      health,
      { kind: "refused", status: 400, message: "address not allowed" },
      false,
      /could not reach the pod: the API server answered 400: address not allowed/,
    ],
    [
      "reports no answer",
      health,
      { kind: "error", message: "the cluster did not answer in time" },
      false,
      /got no answer: the cluster did not answer in time/,
    ],
  ] as const)("%s", (_, check, answer, ok, summary) => {
    const verdict = judge(check, answer);
    expect(verdict.ok).toBe(ok);
    expect(verdict.summary).toMatch(summary);
  });

  it("keeps only the first 200 characters of a body", () => {
    const verdict = judge(health, { kind: "answer", status: 500, body: "x".repeat(5000) });
    expect(verdict.summary.length).toBeLessThan(320);
  });
});

describe("apiServerStatus", () => {
  it("recognises the API server's own Status answers and nothing else", () => {
    const status = JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: "address not allowed",
      code: 400,
    });
    expect(apiServerStatus("application/json", status)).toBe("address not allowed");
    expect(apiServerStatus("text/plain", status)).toBeNull();
    expect(apiServerStatus("application/json", '{"status":"Failure"}')).toBeNull();
    expect(apiServerStatus("application/json", "not json")).toBeNull();
  });
});

it("describes a check as people read it", () => {
  expect(describeCheck(health)).toBe("GET /healthz → 200, status = ok");
  expect(describeCheck({ ...health, jsonField: null, bodyContains: "pong", method: "HEAD" })).toBe(
    'HEAD /healthz → 200, body contains "pong"',
  );
});

describe("a secret header's variable", () => {
  const base = {
    targetId: "c1",
    name: "health",
    method: "GET",
    path: "/healthz",
    expectedStatus: 200,
    timeoutMs: 1000,
  };
  it.each([
    ["SMOKE_TOKEN", true],
    ["AUTH_SECRET", false],
    ["DATABASE_URL", false],
    ["SMOKE_", false],
    ["smoke_token", false],
  ])("%s → %s", (variable, allowed) => {
    expect(smokeCheckSchema.safeParse({ ...base, headerName: "X-Smoke", headerSecretEnv: variable }).success).toBe(
      allowed,
    );
  });
});
