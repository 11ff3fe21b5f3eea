import { describe, expect, it } from "vitest";
import { demoLoginEnabled, EnvError, parseEnv } from "@/lib/env";

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

  it("keeps demo accounts off in production unless asked for", () => {
    const secret = "x".repeat(32);
    expect(demoLoginEnabled(parseEnv({ NODE_ENV: "production", AUTH_SECRET: secret }))).toBe(false);
    expect(
      demoLoginEnabled(parseEnv({ NODE_ENV: "production", AUTH_SECRET: secret, GREENLIGHT_DEMO_LOGIN: "true" })),
    ).toBe(true);
    expect(demoLoginEnabled(parseEnv({ NODE_ENV: "development" }))).toBe(true);
  });
});
