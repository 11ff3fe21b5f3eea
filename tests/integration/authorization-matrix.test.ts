import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ACTIONS, type RegisteredAction } from "@/lib/actions/registry";
import type { CurrentUser } from "@/lib/auth/current-user";
import { can, forbiddenMessage, type Permission } from "@/lib/rbac";
import {
  ACTION_SAMPLES,
  apiRouteFiles,
  callRoute,
  clarityProblem,
  HTTP_METHODS,
  isActionResult,
  loadRoute,
  ROOT,
  ROUTES,
  ROUTES_OUT_OF_SCOPE,
  serverActionModules,
  trackWrites,
  trustFixture,
  type RouteHandler,
  type Subject,
  type TrustFixture,
} from "@/tests/support/trust";

/*
 * Every entry point × everyone who can reach it. Server actions come from lib/actions/registry.ts,
 * checked against the file system (every export of every "use server" module) and against each
 * action's own authorizedAction definition; API routes from ROUTES below, checked against every
 * app/api/**\/route.ts. Expected answers come from lib/rbac.ts, so a permission change is tested
 * by changing PERMISSIONS, and an entry point nobody listed fails here.
 */

const session = vi.hoisted(() => {
  // Read once by lib/env.ts and lib/log.ts: set before anything imports them.
  process.env.ALERTMANAGER_TOKEN = "trust-matrix-token-0123456789abcdef"; // TRUST_ALERTMANAGER_TOKEN
  process.env.METRICS_TOKEN = "trust-metrics-token-0123456789abcdef"; // TRUST_METRICS_TOKEN
  process.env.LOG_LEVEL = "silent";
  return { user: null as CurrentUser | null };
});
vi.mock("@/lib/auth/current-user", async (original) => ({
  ...(await original<typeof import("@/lib/auth/current-user")>()),
  getCurrentUser: async () => session.user,
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const { definedActions } = await import("@/lib/actions/safe-action");
const { log } = await import("@/lib/log");

let fx: TrustFixture;
let writes: Awaited<ReturnType<typeof trackWrites>>;
const modules = serverActionModules();
const loaded = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  fx = await trustFixture();
  writes = await trackWrites(fx);
  for (const m of modules) loaded.set(m, (await import(path.join(ROOT, `${m}.ts`))) as Record<string, unknown>);
}, 120_000);

const key = (module: string, exportName: string) => `${module}#${exportName}`;

describe("the action registry is complete", () => {
  it("lists every exported function of every 'use server' module under lib/actions, and nothing else", () => {
    expect(modules.length).toBeGreaterThan(5);
    const exported = [...loaded].flatMap(([module, exports]) => Object.keys(exports).map((name) => key(module, name)));
    const registered = ACTIONS.map((a) => key(a.module, a.exportName));
    const missing = exported.filter((e) => !registered.includes(e));
    const stale = registered.filter((r) => !exported.includes(r));
    expect(missing, "exported server actions missing from lib/actions/registry.ts").toEqual([]);
    expect(stale, "registry entries without such an export").toEqual([]);
    // "use server" modules may only export async functions; Next refuses anything else at build time.
    for (const [module, exports] of loaded)
      for (const [name, value] of Object.entries(exports))
        expect(
          typeof value === "function" && value.constructor.name === "AsyncFunction",
          `${module}#${name} is an async function`,
        ).toBe(true);
  });

  it("agrees with each action's own definition (name, permission, schema) and has a sample input for each", () => {
    const names = ACTIONS.map((a) => a.name);
    expect(new Set(names).size, "registered names are unique").toBe(names.length);
    expect([...definedActions.keys()].sort()).toEqual([...names].sort());
    for (const action of ACTIONS) {
      const definition = definedActions.get(action.name)!;
      expect(definition.permission, `${action.name} permission`).toBe(action.permission);
      expect(definition.schema === action.schema, `${action.name} schema is the registered one`).toBe(true);
      expect(ACTION_SAMPLES[action.name], `${action.name} has a sample input in tests/support/trust.ts`).toBeDefined();
    }
    expect(Object.keys(ACTION_SAMPLES).filter((n) => !names.includes(n))).toEqual([]);
  });

  it("calls or names every HTTP method of every app/api route", async () => {
    const files = apiRouteFiles();
    expect(files.length).toBeGreaterThan(3);
    const unlisted: string[] = [];
    for (const file of files) {
      if (file in ROUTES_OUT_OF_SCOPE) continue;
      const exports = await loadRoute(file);
      for (const method of HTTP_METHODS)
        if (typeof exports[method] === "function" && !ROUTES[file]?.[method]) unlisted.push(`${method} ${file}`);
      for (const method of Object.keys(ROUTES[file] ?? {}))
        if (typeof exports[method] !== "function") unlisted.push(`stale: ${method} ${file}`);
    }
    expect(Object.keys(ROUTES).filter((f) => !files.includes(f))).toEqual([]);
    expect(unlisted, "API route methods missing from ROUTES in this test").toEqual([]);
  });
});

function expected(subject: Subject, permission: Permission): "allowed" | "UNAUTHENTICATED" | "FORBIDDEN" {
  if (!subject.user) return "UNAUTHENTICATED";
  return can({ roles: subject.roles }, permission) ? "allowed" : "FORBIDDEN";
}

// Printed at the end, for the record: `authorization N actions + M route methods × K callers: …`.
const tally = { actions: 0, routes: 0, refused: 0, allowed: 0, mismatches: 0 };
afterAll(() => {
  console.log(
    `authorization ${tally.actions} actions + ${tally.routes} route methods × ${fx.subjects.length} callers: ` +
      `${tally.refused} refused as the matrix says, ${tally.allowed} let through, ${tally.mismatches} mismatches`,
  );
});

describe("server actions × roles", () => {
  it.each(ACTIONS.map((a) => [a.name, a] as [string, RegisteredAction]))("%s", async (_name, action) => {
    const run = loaded.get(action.module)![action.exportName] as (input: unknown) => Promise<unknown>;
    const definition = definedActions.get(action.name)!;
    const warn = vi.spyOn(log, "warn");
    const problems: string[] = [];
    // Refusals first, then the permitted calls (which may change the fixture's state).
    const subjects = [...fx.subjects].sort(
      (a, b) =>
        Number(expected(a, action.permission) === "allowed") - Number(expected(b, action.permission) === "allowed"),
    );
    for (const subject of subjects) {
      session.user = subject.user;
      const input = ACTION_SAMPLES[action.name].input(fx, subject.user);
      await writes.since();
      warn.mockClear();
      const result = await run(input);
      const written = await writes.since();
      const want = expected(subject, action.permission);
      const who = `${action.name} as ${subject.label}`;
      if (!isActionResult(result)) {
        problems.push(`${who}: not an action result`);
        continue;
      }
      const error = result.ok ? null : result.error;
      if (want === "allowed") {
        if (error && ["FORBIDDEN", "UNAUTHENTICATED", "INTERNAL"].includes(error.code))
          problems.push(`${who}: expected to be let through, got ${error.code}: ${error.message}`);
        else if (error && clarityProblem(error.message))
          problems.push(`${who}: refusal "${error.message}" ${clarityProblem(error.message)}`);
      } else {
        if (!error || error.code !== want) problems.push(`${who}: expected ${want}, got ${JSON.stringify(result)}`);
        else if (want === "FORBIDDEN") {
          if (error.message !== forbiddenMessage(action.permission, definition.verb))
            problems.push(`${who}: message "${error.message}"`);
          // The export runs the action it is registered as (the refusal is logged with its name).
          const logged = warn.mock.calls.map((c) => (c[0] as { action?: string }).action);
          if (!logged.includes(action.name)) problems.push(`${who}: the refusal was logged as ${logged.join(", ")}`);
        } else if (clarityProblem(error.message)) problems.push(`${who}: "${error.message}"`);
        if (written.length > 0) problems.push(`${who}: refused but wrote ${written.join("; ")}`);
      }
    }
    warn.mockRestore();
    session.user = null;
    tally.actions += 1;
    tally.allowed += subjects.filter((x) => expected(x, action.permission) === "allowed").length;
    tally.refused += subjects.filter((x) => expected(x, action.permission) !== "allowed").length;
    tally.mismatches += problems.length;
    expect(problems).toEqual([]);
  });
});

describe("API routes × roles", () => {
  const cases = Object.entries(ROUTES).flatMap(([file, methods]) =>
    Object.entries(methods).map(([method, route]) => [`${method} ${file}`, file, method, route] as const),
  );
  it.each(cases)("%s", async (_label, file, method, route) => {
    const handler = (await loadRoute(file))[method] as RouteHandler;
    const problems: string[] = [];
    for (const subject of fx.subjects) {
      session.user = subject.user;
      const who = `${method} ${file} as ${subject.label}`;
      const request = route.request(fx);
      const attempts: { label: string; request: typeof request; want: "allowed" | 401 | 403 }[] = [];
      if (route.auth.kind === "public") attempts.push({ label: "", request, want: "allowed" });
      else if (route.auth.kind === "session") {
        const want = expected(subject, route.auth.permission);
        attempts.push({ label: "", request, want: want === "allowed" ? want : want === "FORBIDDEN" ? 403 : 401 });
      } else if (route.auth.kind === "apiToken") {
        // /api/v1: the caller's own token, asking for everything; only their roles limit it.
        // A session, whatever its roles, is no token; the signed-out subject has none.
        const { permission } = route.auth;
        const bearer = (secret: string | null) => ({
          ...request,
          init: {
            ...request.init,
            headers: {
              ...(request.init?.headers as Record<string, string>),
              ...(secret ? { authorization: `Bearer ${secret}` } : {}),
            },
          },
        });
        const secret = subject.user ? fx.apiTokens[subject.user.id] : null;
        attempts.push({ label: " without a token", request: bearer(null), want: 401 });
        if (secret)
          attempts.push({
            label: " with their API token",
            request: bearer(secret),
            want: expected(subject, permission) === "allowed" ? "allowed" : 403,
          });
      } else {
        // A session, whatever its roles, is not the token.
        const { header, token } = route.auth;
        const headers = (extra: Record<string, string>) => ({
          ...request,
          init: { ...request.init, headers: { ...(request.init?.headers as Record<string, string>), ...extra } },
        });
        attempts.push({ label: " without the token", request: headers({}), want: 401 });
        attempts.push({ label: " with a wrong token", request: headers({ [header]: "Bearer guessed" }), want: 401 });
        attempts.push({ label: " with the token", request: headers({ [header]: token }), want: "allowed" });
      }
      for (const attempt of attempts) {
        await writes.since();
        const { status, body } = await callRoute(handler, attempt.request);
        const written = await writes.since();
        const label = `${who}${attempt.label}`;
        if (attempt.want === "allowed") tally.allowed += 1;
        else tally.refused += 1;
        if (attempt.want === "allowed") {
          if (status === 401 || status === 403 || status >= 500)
            problems.push(`${label}: ${status} ${body.slice(0, 200)}`);
        } else {
          if (status !== attempt.want) problems.push(`${label}: expected ${attempt.want}, got ${status}`);
          // Route handlers answer { error }; /api/v1 answers RFC 9457 problem details.
          const answer = JSON.parse(body) as { error?: string; detail?: string };
          const message = answer.error ?? answer.detail;
          if (clarityProblem(message)) problems.push(`${label}: "${message}" ${clarityProblem(message)}`);
          if (written.length > 0) problems.push(`${label}: refused but wrote ${written.join("; ")}`);
        }
      }
    }
    session.user = null;
    tally.routes += 1;
    tally.mismatches += problems.length;
    expect(problems).toEqual([]);
  });
});
