import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CredentialsConfig } from "next-auth/providers/credentials";
import { getAuthOptions } from "@/lib/auth/options";
import { signInWithPassword } from "@/lib/auth/password-sign-in";
import { SIGN_IN_LIMITS, SignInLimiter } from "@/lib/auth/rate-limit";
import { parseEnv } from "@/lib/env";
import { DEMO_PASSWORD } from "@/lib/seed/seed";
import { seedDemo } from "@/tests/support/fixtures";

// The app's configuration for this file: demo sign-in on, as for `npm run dev` on loopback.
process.env.HOST = "127.0.0.1";
const config = parseEnv({ HOST: "127.0.0.1" });

let f: Awaited<ReturnType<typeof seedDemo>>;
const pools: Pool[] = [];
beforeAll(async () => {
  f = await seedDemo();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

/** A limiter on a pool of its own: what another replica of the app would use. */
function replica(): SignInLimiter {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  pools.push(pool);
  return new SignInLimiter(pool);
}

/** The demo credentials provider's authorize, as next-auth calls it for a POST from `address`. */
function authorize(email: string, password: string, address: string) {
  const provider = getAuthOptions().providers.find((p) => (p.options as { id?: string }).id === "demo") as
    | CredentialsConfig
    | undefined;
  if (!provider) throw new Error("demo sign-in is not offered");
  const headers = { "x-forwarded-for": address };
  return provider.options.authorize({ email, password }, { headers, body: {}, query: {}, method: "POST" });
}

async function failures(email: string) {
  const entries = await f.db.auditLog.findMany({ where: { action: "auth.sign_in_failed" }, orderBy: { id: "asc" } });
  return entries.filter((e) => (e.metadata as { email?: string } | null)?.email === email);
}

describe("failed sign-in limit", () => {
  it("refuses the sixth attempt after five wrong passwords, even with the right one, and says how long to wait", async () => {
    const email = "viewer@greenlight.local";
    for (let i = 0; i < 5; i++) expect(await authorize(email, "not-the-password-42", "203.0.113.5")).toBeNull();
    await expect(authorize(email, DEMO_PASSWORD, "203.0.113.5")).rejects.toThrow(
      /^Too many failed sign-ins\. Try again in 15 minutes\.$/,
    );

    const audited = await failures(email);
    expect(audited.map((e) => (e.metadata as { reason: string }).reason)).toEqual([
      ...Array(5).fill("wrong_password"),
      "locked_out",
    ]);
    expect(audited[0]).toMatchObject({
      actorId: null,
      targetType: "user",
      targetId: f.viewer.id,
      metadata: { method: "password", email, address: "203.0.113.5", reason: "wrong_password" },
    });
    const written = audited.map((e) => [e.actorLabel, e.targetId, e.before, e.after, e.metadata]);
    expect(JSON.stringify(written)).not.toContain("not-the-password-42");
    expect(await f.db.auditLog.count({ where: { action: "auth.sign_in", targetId: f.viewer.id } })).toBe(0);
  });

  it("holds on another replica (the counts live in PostgreSQL)", async () => {
    const result = await signInWithPassword(
      { email: "viewer@greenlight.local", password: DEMO_PASSWORD, address: "203.0.113.5" },
      { limiter: replica(), config },
    );
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^Too many failed sign-ins\. Try again in/) });
  });

  it("lets the same person in from another address, and another person in from the locked address", async () => {
    expect(await authorize("viewer@greenlight.local", DEMO_PASSWORD, "198.51.100.7")).toMatchObject({
      id: f.viewer.id,
    });
    expect(await authorize("release.manager@greenlight.local", DEMO_PASSWORD, "203.0.113.5")).toMatchObject({
      id: f.releaseManager.id,
    });
  });

  it("forgets a pair's failures after a correct password", async () => {
    const limiter = replica();
    const attempt = (password: string) =>
      signInWithPassword({ email: "oncall@greenlight.local", password, address: "192.0.2.44" }, { limiter, config });
    for (let i = 0; i < 4; i++) expect(await attempt("typo")).toEqual({ ok: false });
    expect(await attempt(DEMO_PASSWORD)).toMatchObject({ ok: true, user: { email: "oncall@greenlight.local" } });
    for (let i = 0; i < 5; i++) expect(await attempt("typo")).toEqual({ ok: false });
    expect(await attempt(DEMO_PASSWORD)).toMatchObject({ ok: false, message: expect.any(String) });
  });

  it("limits one address trying many accounts", async () => {
    const limiter = replica();
    const address = "2001:db8::9";
    for (let i = 0; i < SIGN_IN_LIMITS.address; i++) {
      const result = await signInWithPassword(
        { email: `nobody${i}@acme.example`, password: "guess", address },
        { limiter, config },
      );
      expect(result).toEqual({ ok: false });
    }
    const next = await signInWithPassword(
      { email: "admin@greenlight.local", password: DEMO_PASSWORD, address },
      { limiter, config },
    );
    expect(next).toMatchObject({ ok: false, message: expect.stringMatching(/^Too many failed sign-ins/) });
    expect((await failures("nobody0@acme.example"))[0]).toMatchObject({
      targetType: "email",
      targetId: "nobody0@acme.example",
      metadata: { reason: "unknown_account", address },
    });
    // The other address is untouched.
    const elsewhere = await signInWithPassword(
      { email: "admin@greenlight.local", password: DEMO_PASSWORD, address: "192.0.2.200" },
      { limiter, config },
    );
    expect(elsewhere).toMatchObject({ ok: true });
  });

  it("counts concurrent guesses: only five reach the password check", async () => {
    const limiter = replica();
    const email = "cto@greenlight.local";
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        signInWithPassword({ email, password: "parallel-guess", address: "192.0.2.77" }, { limiter, config }),
      ),
    );
    expect(results.filter((r) => !r.ok && !r.message)).toHaveLength(SIGN_IN_LIMITS.accountAndAddress);
    const reasons = (await failures(email)).map((e) => (e.metadata as { reason: string }).reason);
    expect(reasons.filter((r) => r === "wrong_password")).toHaveLength(5);
    // Seven refused, one audited: the attempt that went over the limit, not each one after it.
    expect(results.filter((r) => !r.ok && r.message)).toHaveLength(7);
    expect(reasons.filter((r) => r === "locked_out")).toHaveLength(1);
  });
});
