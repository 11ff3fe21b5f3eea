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
