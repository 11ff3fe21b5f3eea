import { describe, expect, it } from "vitest";
import { buildAuthOptions, identityFromSignIn } from "@/lib/auth/options";
import { parseEnv } from "@/lib/env";

const production = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32) };

describe("session cookies", () => {
  it("are Secure in production behind https", () => {
    expect(buildAuthOptions(parseEnv({ ...production, APP_URL: "https://gl.example.com" })).useSecureCookies).toBe(
      true,
    );
  });

  it("are not Secure over plain http on loopback (zero-config npm start) or in development", () => {
    expect(buildAuthOptions(parseEnv({ ...production, APP_URL: "http://127.0.0.1:3000" })).useSecureCookies).toBe(
      false,
    );
    expect(buildAuthOptions(parseEnv({})).useSecureCookies).toBe(false);
  });
});

describe("demo sign-in is offered only under the demo sign-in rule", () => {
  it.each<[Record<string, string>, boolean]>([
    [{ HOST: "127.0.0.1" }, true],
    [{ HOST: "0.0.0.0" }, false],
    [{ HOST: "0.0.0.0", GREENLIGHT_DEMO_LOGIN: "true" }, true],
    [{ ...production, APP_URL: "https://gl.example.com", HOST: "127.0.0.1" }, false],
  ])("%j → %s", (vars, offered) => {
    // A provider's own id is in its options until next-auth merges them.
    const providers = buildAuthOptions(parseEnv(vars)).providers.map((p) => (p.options as { id?: string }).id ?? p.id);
    expect(providers.includes("demo")).toBe(offered);
  });
});

describe("the identity an OAuth sign-in presents", () => {
  const account = { provider: "oidc", providerAccountId: "sub-1" };
  it("counts the email as verified only when the provider says so", () => {
    const verified = identityFromSignIn(account, { sub: "sub-1", email: "a@x.dev", email_verified: true }, {});
    expect(verified).toMatchObject({ identity: { email: "a@x.dev", emailVerified: true } });
    const silent = identityFromSignIn({ ...account, provider: "github" }, { sub: "1", email: "a@x.dev" }, {});
    expect(silent).toMatchObject({ identity: { emailVerified: false } });
    expect(identityFromSignIn(account, { sub: "1", email: "a@x.dev", email_verified: false }, {})).toEqual({
      error: "EmailUnverified",
    });
    expect(identityFromSignIn(account, { sub: "1" }, { email: null })).toEqual({ error: "NoEmail" });
  });
});
