import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "@/lib/env";

describe("configuration", () => {
  it("accepts an empty development environment", () => {
    expect(parseEnv({}).NODE_ENV).toBe("development");
  });

  it("names the bad variable", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    expect(() => parseEnv({ AUTH_SECRET: "short" })).toThrow(/AUTH_SECRET: must be at least 32 characters/);
    expect(() => parseEnv({ LOG_LEVEL: "loud" })).toThrow(EnvError);
  });

  it("requires the OIDC variables together", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://id.example.com" })).toThrow(
      /OIDC_CLIENT_ID: is required[\s\S]*OIDC_CLIENT_SECRET: is required/,
    );
  });

  it("requires a secret in production", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/AUTH_SECRET: is required in production/);
  });

  it("requires an https APP_URL in production", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) };
    expect(() => parseEnv(production)).toThrow(/APP_URL: is required in production: the public https:\/\/ URL/);
    expect(() => parseEnv({ ...production, APP_URL: "http://greenlight.example.com" })).toThrow(
      /APP_URL: must be an https:\/\/ URL in production \(got http:\/\/greenlight.example.com\)/,
    );
    expect(parseEnv({ ...production, APP_URL: "https://greenlight.example.com" }).APP_URL).toBe(
      "https://greenlight.example.com",
    );
    // The zero-config `npm start` serves a production build on loopback only.
    expect(parseEnv({ ...production, APP_URL: "http://127.0.0.1:3000" }).APP_URL).toBe("http://127.0.0.1:3000");
    expect(parseEnv({ APP_URL: "http://greenlight.example.com" }).APP_URL).toBe("http://greenlight.example.com");
  });

  it("keeps an unset GREENLIGHT_DEMO_LOGIN apart from false", () => {
    expect(parseEnv({}).GREENLIGHT_DEMO_LOGIN).toBeUndefined();
    expect(parseEnv({ GREENLIGHT_DEMO_LOGIN: "" }).GREENLIGHT_DEMO_LOGIN).toBeUndefined();
    expect(parseEnv({ GREENLIGHT_DEMO_LOGIN: "false" }).GREENLIGHT_DEMO_LOGIN).toBe(false);
    expect(parseEnv({ GREENLIGHT_DEMO_LOGIN: "yes" }).GREENLIGHT_DEMO_LOGIN).toBe(true);
  });
});

describe("numeric settings", () => {
  it.each([
    ["K8S_TIMEOUT_MS", 10_000],
    ["RUN_DEADLINE_SECONDS", 600],
    ["WORKER_CONCURRENCY", 4],
    ["PORT", 3000],
    ["EMBEDDED_PG_PORT", 54_329],
    ["PROMETHEUS_PORT", 9491],
    ["ALERTMANAGER_PORT", 9493],
    ["WORKER_METRICS_PORT", 9495],
  ] as const)("%s defaults to %d when unset or empty", (name, fallback) => {
    expect(parseEnv({})[name]).toBe(fallback);
    expect(parseEnv({ [name]: "" })[name]).toBe(fallback);
  });

  it("reads whole numbers", () => {
    const config = parseEnv({ K8S_TIMEOUT_MS: "2500", RUN_DEADLINE_SECONDS: "900", WORKER_CONCURRENCY: "8" });
    expect([config.K8S_TIMEOUT_MS, config.RUN_DEADLINE_SECONDS, config.WORKER_CONCURRENCY]).toEqual([2500, 900, 8]);
    expect(parseEnv({ SANDBOX_PORT: "6551" }).SANDBOX_PORT).toBe(6551);
    expect(parseEnv({}).SANDBOX_PORT).toBeUndefined();
  });

  it.each([
    ["K8S_TIMEOUT_MS", "abc", /K8S_TIMEOUT_MS: must be a whole number from 100 to 300000 ms \(got "abc"\)/],
    ["K8S_TIMEOUT_MS", "1", /K8S_TIMEOUT_MS: must be a whole number from 100/],
    ["K8S_TIMEOUT_MS", "10s", /K8S_TIMEOUT_MS: must be a whole number/],
    ["K8S_TIMEOUT_MS", "1e4", /K8S_TIMEOUT_MS: must be a whole number/],
    ["K8S_TIMEOUT_MS", "-5", /K8S_TIMEOUT_MS: must be a whole number/],
    ["K8S_TIMEOUT_MS", "0x10", /K8S_TIMEOUT_MS: must be a whole number/],
    ["RUN_DEADLINE_SECONDS", "Infinity", /RUN_DEADLINE_SECONDS: must be a whole number from 30 to 86400 s/],
    ["RUN_DEADLINE_SECONDS", "2.5", /RUN_DEADLINE_SECONDS: must be a whole number/],
    ["RUN_DEADLINE_SECONDS", "999999", /RUN_DEADLINE_SECONDS: must be a whole number/],
    ["WORKER_CONCURRENCY", "0", /WORKER_CONCURRENCY: must be a whole number from 1 to 256 \(got "0"\)/],
    ["WORKER_CONCURRENCY", "four", /WORKER_CONCURRENCY: must be a whole number/],
    ["PORT", "70000", /PORT: must be a whole number from 1 to 65535/],
    ["EMBEDDED_PG_PORT", "pg", /EMBEDDED_PG_PORT: must be a whole number/],
    ["SANDBOX_PORT", "-1", /SANDBOX_PORT: must be a whole number/],
  ])("refuses %s=%j, naming it", (name, value, message) => {
    expect(() => parseEnv({ [name]: value })).toThrow(EnvError);
    expect(() => parseEnv({ [name]: value })).toThrow(message);
  });
});

describe("Prometheus credentials", () => {
  const url = { PROMETHEUS_URL: "https://prometheus.example:9090" };
  it.each([
    [{ PROMETHEUS_BEARER_TOKEN: "t" }, null],
    [{ PROMETHEUS_BEARER_TOKEN_FILE: "/var/run/secrets/token" }, null],
    [{ PROMETHEUS_USERNAME: "greenlight", PROMETHEUS_PASSWORD: "p" }, null],
    [
      { PROMETHEUS_BEARER_TOKEN: "t", PROMETHEUS_BEARER_TOKEN_FILE: "/f" },
      /PROMETHEUS_BEARER_TOKEN_FILE: set the token or its file, not both/,
    ],
    [
      { PROMETHEUS_BEARER_TOKEN: "t", PROMETHEUS_USERNAME: "u", PROMETHEUS_PASSWORD: "p" },
      /bearer token .* or basic auth .*, not both/,
    ],
    [{ PROMETHEUS_USERNAME: "greenlight" }, /PROMETHEUS_PASSWORD: basic auth needs both/],
    [{ PROMETHEUS_PASSWORD: "p" }, /PROMETHEUS_USERNAME: basic auth needs both/],
  ])("%j", (vars, problem) => {
    if (problem) expect(() => parseEnv({ ...url, ...vars })).toThrow(problem);
    else expect(() => parseEnv({ ...url, ...vars })).not.toThrow();
  });
});
