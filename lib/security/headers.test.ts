import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
import { proxy } from "@/proxy";
import { contentSecurityPolicy, createNonce, STATIC_SECURITY_HEADERS, wantsHsts } from "@/lib/security/headers";

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe("contentSecurityPolicy", () => {
  const csp = directives(contentSecurityPolicy({ nonce: "abc123==", dev: false, https: false }));

  it("lets only nonced scripts (and what they load) run, never inline ones", () => {
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(csp.get("script-src")).not.toContain("'unsafe-inline'");
    expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
  });

  it("refuses framing, plugins, foreign bases and form targets", () => {
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
  });

  it("keeps loads that could carry page content out on this origin", () => {
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("font-src")).toEqual(["'self'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "blob:", "data:"]);
  });

  it("allows eval only under next dev, and upgrades requests only over https", () => {
    const dev = directives(contentSecurityPolicy({ nonce: "n", dev: true, https: false }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
    expect(
      directives(contentSecurityPolicy({ nonce: "n", dev: false, https: true })).has("upgrade-insecure-requests"),
    ).toBe(true);
  });
});

describe("createNonce", () => {
  it("is 128 random bits in base64, new each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe("wantsHsts", () => {
  it.each([
    [{ NODE_ENV: "production" }, true],
    [{ NODE_ENV: "production", APP_URL: "http://127.0.0.1:3000" }, true],
    [{ NODE_ENV: "development", APP_URL: "https://greenlight.example.com" }, true],
    [{ NODE_ENV: "development", APP_URL: "http://127.0.0.1:3000" }, false],
    [{ NODE_ENV: "development" }, false],
    [{ NODE_ENV: "test" }, false],
  ])("%j → %s", (config, expected) => {
    expect(wantsHsts(config)).toBe(expected);
  });
});

describe("next.config.js", () => {
  it("sets the static security headers on every path", async () => {
    // A JavaScript module without types; its JSDoc says NextConfig.
    const { default: nextConfig } = (await import("@/next.config.js" as string)) as { default: NextConfig };
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    expect(all?.headers).toEqual(STATIC_SECURITY_HEADERS);
  });
});

describe("proxy", () => {
  it("gives a page a fresh nonce, in its CSP and in the request Next renders with", () => {
    const first = proxy(new NextRequest("http://127.0.0.1:3000/releases"));
    const second = proxy(new NextRequest("http://127.0.0.1:3000/releases"));
    const csp = first.headers.get("Content-Security-Policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(second.headers.get("Content-Security-Policy")).not.toContain(nonce);
    // NextResponse.next({ request: { headers } }) passes request headers on as x-middleware-request-*.
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    // NODE_ENV is "test" and APP_URL unset here.
    expect(first.headers.get("Strict-Transport-Security")).toBeNull();
  });

  it("leaves API answers without a CSP", () => {
    const response = proxy(new NextRequest("http://127.0.0.1:3000/api/health"));
    expect(response.headers.get("Content-Security-Policy")).toBeNull();
  });
});
