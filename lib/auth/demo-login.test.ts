import { describe, expect, it } from "vitest";
import { decideDemoLogin, demoLoginEnabled, type DemoLoginContext } from "@/lib/auth/demo-login";
import { isLoopbackHost } from "@/lib/auth/loopback";
import { parseEnv } from "@/lib/env";

describe("loopback hosts", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.20", false],
    ["greenlight.example.com", false],
    ["127.0.0.1.example.com", false],
    [undefined, false],
  ])("%s → %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe("demo sign-in", () => {
  const dev = (more: Partial<DemoLoginContext>): DemoLoginContext => ({
    nodeEnv: "development",
    host: "127.0.0.1",
    flag: undefined,
    ...more,
  });

  it.each<[string, Partial<DemoLoginContext>, boolean, RegExp]>([
    ["npm run dev on loopback", {}, true, /HOST=127\.0\.0\.1 is reachable only from this machine/],
    ["npm run dev with HOST=0.0.0.0", { host: "0.0.0.0" }, false, /HOST=0\.0\.0\.0 is reachable from other machines/],
    ["a bare `next dev` (HOST unknown)", { host: undefined }, false, /HOST is not set/],
    ["zero-config npm start on loopback", { nodeEnv: "production", zeroConfig: true }, true, /only from this machine/],
    [
      "zero-config npm start on 0.0.0.0",
      { nodeEnv: "production", zeroConfig: true, host: "0.0.0.0" },
      false,
      /0\.0\.0\.0/,
    ],
    ["production behind a proxy on loopback", { nodeEnv: "production" }, false, /production without/],
    ["explicitly off on loopback", { flag: false }, false, /GREENLIGHT_DEMO_LOGIN=false/],
    ["explicitly on, reachable", { flag: true, host: "0.0.0.0" }, true, /although HOST=0\.0\.0\.0/],
    ["explicitly on in production", { flag: true, nodeEnv: "production" }, true, /^GREENLIGHT_DEMO_LOGIN=true$/],
  ])("%s", (_name, context, enabled, reason) => {
    const decision = decideDemoLogin(dev(context));
    expect(decision.enabled).toBe(enabled);
    expect(decision.reason).toMatch(reason);
  });

  it("reads the app's configuration the same way", () => {
    expect(demoLoginEnabled(parseEnv({ HOST: "0.0.0.0" }))).toBe(false);
    expect(demoLoginEnabled(parseEnv({}))).toBe(false);
    expect(demoLoginEnabled(parseEnv({ HOST: "127.0.0.1" }))).toBe(true);
    expect(demoLoginEnabled(parseEnv({ HOST: "0.0.0.0", GREENLIGHT_DEMO_LOGIN: "true" }))).toBe(true);
    const production = { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32), APP_URL: "https://gl.example.com" };
    expect(demoLoginEnabled(parseEnv({ ...production, HOST: "127.0.0.1" }))).toBe(false);
    expect(demoLoginEnabled(parseEnv({ ...production, GREENLIGHT_DEMO_LOGIN: "1" }))).toBe(true);
  });
});
