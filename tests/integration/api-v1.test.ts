/**
 * The /api/v1 REST API as a CI pipeline meets it: route handlers called with Request objects, a
 * bearer API token made through lib/api-tokens, and (in `ci-pipeline`) a real deploy on the
 * sandbox cluster driven only through the API, with the sign-offs given through lib/.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.LOG_LEVEL = "silent";
});

import { ApiRateLimiter } from "@/lib/api-tokens/rate-limit";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/store";
import { loadUser, type CurrentUser } from "@/lib/auth/current-user";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { forgetClusters } from "@/lib/k8s/clusters";
import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import type { Permission } from "@/lib/rbac";
import { createRelease } from "@/lib/releases/create-release";
import { APPROVER_ROLES, type Role } from "@/lib/roles";
import { approveRelease } from "@/tests/support/approve";
import { seedDemo } from "@/tests/support/fixtures";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor } from "@/tests/support/workloads";
import * as releases from "@/app/api/v1/releases/route";
import * as release from "@/app/api/v1/releases/[id]/route";
import * as gate from "@/app/api/v1/releases/[id]/gate/route";
import * as deploy from "@/app/api/v1/releases/[id]/deploy/route";
import * as runs from "@/app/api/v1/runs/[id]/route";
import * as service from "@/app/api/v1/services/[id]/route";
import * as rollback from "@/app/api/v1/services/[id]/rollback/route";
import * as openapi from "@/app/api/v1/openapi.json/route";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

let f: Awaited<ReturnType<typeof seedDemo>>;
const clusters = await testClusters();
const sandbox = clusters[0];

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
});

async function call(
  handler: Handler,
  url: string,
  options: {
    token?: string | null;
    authorization?: string;
    body?: unknown;
    method?: string;
    params?: Record<string, string>;
  } = {},
) {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await handler(
    new Request(new URL(url, "http://127.0.0.1:3000"), {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }),
    { params: Promise.resolve(options.params ?? {}) },
  );
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field below
    body: text ? (JSON.parse(text) as Record<string, any>) : null,
  };
}

async function token(
  user: CurrentUser,
  scopes: Permission[],
  extra: { environmentIds?: string[]; kind?: "PERSONAL" | "SERVICE" } = {},
) {
  const made = await createApiToken(user, {
    name: `test ${randomBytes(3).toString("hex")}`,
    kind: extra.kind ?? "PERSONAL",
    scopes,
    environmentIds: extra.environmentIds ?? [],
    expiresInDays: 30,
  });
  return { ...made.token, secret: made.secret };
}

async function person(roles: Role[]) {
  const user = await f.db.user.create({
    data: {
      email: `api-${randomBytes(4).toString("hex")}@example.com`,
      name: "Api Person",
      roles: { create: roles.map((role) => ({ role })) },
    },
  });
  return (await loadUser(user.id))!;
}

/** Rows that a refusal must not add: releases, runs, audit entries, and the token's last use. */
async function state() {
  const [releaseCount, runCount, auditCount, used] = await Promise.all([
    f.db.release.count(),
    f.db.deploymentRun.count(),
    f.db.auditLog.count(),
    f.db.apiToken.findMany({ select: { id: true, lastUsedAt: true }, orderBy: { id: "asc" } }),
  ]);
  return { releaseCount, runCount, auditCount, used };
}

function expectProblem(answer: Awaited<ReturnType<typeof call>>, status: number, detail: RegExp, instance: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(answer.body).toMatchObject({ status, instance });
  expect(answer.body!.type).toMatch(/^urn:greenlight:problem:/);
  expect(typeof answer.body!.title).toBe("string");
  expect(answer.body!.detail).toMatch(detail);
}

const releaseBody = () => ({
  service: "checkout",
  environment: "staging",
  imageRef: `ghcr.io/acme/checkout:api-${randomBytes(3).toString("hex")}`,
  commitSha: randomBytes(20).toString("hex"),
});

describe("authentication and authorization", () => {
  it("refuses a missing, malformed, unknown, expired or revoked token, or a disabled owner, with 401 and writes nothing", async () => {
    const good = await token(f.releaseManager, ["release:create", "dashboard:read"]);
    const expired = await token(f.releaseManager, ["release:create"]);
    await f.db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const revoked = await token(f.releaseManager, ["release:create"]);
    await revokeApiToken(f.releaseManager, revoked.id);
    const leaver = await person(["RELEASE_MANAGER"]);
    const leaversToken = await token(leaver, ["release:create"]);
    await f.db.user.update({ where: { id: leaver.id }, data: { disabledAt: new Date() } });

    const before = await state();
    const cases: [string, { token?: string; authorization?: string }, RegExp][] = [
      ["missing", {}, /Send an API token/],
      ["malformed", { authorization: `Basic ${good.secret}` }, /Bearer/],
      ["not a token", { authorization: "Bearer hunter2" }, /not a Greenlight API token/],
      ["unknown", { token: `glt_${randomBytes(32).toString("base64url")}` }, /not known/],
      ["expired", { token: expired.secret }, /expired on \d{4}-\d\d-\d\d/],
      ["revoked", { token: revoked.secret }, /revoked/],
      ["owner disabled", { token: leaversToken.secret }, /can no longer sign in/],
    ];
    for (const [label, auth, detail] of cases) {
      const answer = await call(releases.POST, "/api/v1/releases", { ...auth, body: releaseBody() });
      expectProblem(answer, 401, detail, "/api/v1/releases");
      expect(answer.headers.get("www-authenticate"), label).toMatch(/^Bearer/);
      expect(JSON.stringify(answer.body)).not.toContain(good.secret.slice(4));
    }
    expect(await state()).toEqual(before);
    // The good one works, and only it left a mark.
    const created = await call(releases.POST, "/api/v1/releases", { token: good.secret, body: releaseBody() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  it("refuses a token without the scope, an owner without the role, and an environment outside the token's list, with 403 and writes nothing", async () => {
    const readOnly = await token(f.releaseManager, ["dashboard:read"]);
    const demoted = await person(["RELEASE_MANAGER"]);
    const demotedToken = await token(demoted, ["release:create", "dashboard:read"]);
    await f.db.roleAssignment.updateMany({ where: { userId: demoted.id }, data: { role: "VIEWER" } });
    const stagingOnly = await token(f.releaseManager, ["release:create", "release:deploy", "dashboard:read"], {
      environmentIds: [f.staging.id],
    });
    const onCallReadOnly = await token(f.onCall, ["dashboard:read"]);
    const production = await createRelease(f.releaseManager, {
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      imageRef: "ghcr.io/acme/checkout:9.9.9",
      strategy: "ROLLING",
      changeSummary: "A production release out of the token's reach.",
      links: [],
    });

    const before = await state();
    expectProblem(
      await call(releases.POST, "/api/v1/releases", { token: readOnly.secret, body: releaseBody() }),
      403,
      /lacks the release:create scope/,
      "/api/v1/releases",
    );
    expectProblem(
      await call(releases.POST, "/api/v1/releases", { token: demotedToken.secret, body: releaseBody() }),
      403,
      /^Only a release manager or admin can create a release\.$/,
      "/api/v1/releases",
    );
    expectProblem(
      await call(releases.POST, "/api/v1/releases", {
        token: stagingOnly.secret,
        body: { ...releaseBody(), environment: "production" },
      }),
      403,
      /limited to staging/,
      "/api/v1/releases",
    );
    // A release in production is out of reach for reading and deploying too.
    for (const [handler, url] of [
      [release.GET, `/api/v1/releases/${production.id}`],
      [gate.GET, `/api/v1/releases/${production.id}/gate`],
      [deploy.POST, `/api/v1/releases/${production.id}/deploy`],
    ] as const) {
      expectProblem(
        await call(handler, url, {
          token: stagingOnly.secret,
          method: url.endsWith("deploy") ? "POST" : "GET",
          params: { id: production.id },
        }),
        403,
        /limited to staging/,
        url,
      );
    }
    expectProblem(
      await call(rollback.POST, "/api/v1/services/checkout/rollback", {
        token: onCallReadOnly.secret,
        body: { environment: "staging", reason: "Errors after the deploy" },
        params: { id: "checkout" },
      }),
      403,
      /lacks the service:rollback scope/,
      "/api/v1/services/checkout/rollback",
    );
    expect(await state()).toEqual(before);
  });

  it("refuses to make a token with more than its maker may do, or a service token for a non-admin", async () => {
    await expect(token(f.viewer, ["release:deploy"])).rejects.toThrow(/Your roles do not allow release:deploy/);
    await expect(token(f.releaseManager, ["dashboard:read"], { kind: "SERVICE" })).rejects.toThrow(
      /Only an admin can make a service token/,
    );
    const made = await token(f.admin, ["dashboard:read"], { kind: "SERVICE" });
    expect(made.prefix).toMatch(/^glt_.{8}$/);
    const stored = await f.db.apiToken.findUniqueOrThrow({ where: { id: made.id } });
    expect(stored.tokenHash).not.toContain(made.secret.slice(4));
    expect(stored.ownerId).toBe(f.admin.id);
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "api_token.create", targetId: made.id } });
    const recorded = JSON.stringify([audit.before, audit.after, audit.metadata]);
    expect(recorded).not.toContain(made.secret.slice(4));
    expect(recorded).not.toContain(stored.tokenHash);
  });
});

describe("answers", () => {
  it("are validated by the server action's schema: a bad image is a 422 with the field's message, nothing stored", async () => {
    const t = await token(f.releaseManager, ["release:create"]);
    const before = await state();
    const answer = await call(releases.POST, "/api/v1/releases", {
      token: t.secret,
      body: { ...releaseBody(), imageRef: "not an image!" },
    });
    expect(answer.status).toBe(422);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(Object.keys(answer.body!.errors)).toEqual(["imageRef"]);
    const notJson = await call(releases.POST, "/api/v1/releases", { token: t.secret, method: "POST" });
    expect(notJson.status).toBe(415);
    expect(await state()).toEqual(before);
  });

  it("audits every answered use with its token and writes the last-used time at most once a minute", async () => {
    const t = await token(f.viewer, ["dashboard:read"]);
    const someRelease = await f.db.release.findFirstOrThrow({ where: { environmentId: f.staging.id } });
    const read = () =>
      call(release.GET, `/api/v1/releases/${someRelease.id}`, { token: t.secret, params: { id: someRelease.id } });
    expect((await read()).status).toBe(200);
    const first = await f.db.apiToken.findUniqueOrThrow({ where: { id: t.id } });
    expect(first.lastUsedAt).not.toBeNull();
    expect((await read()).status).toBe(200);
    const second = await f.db.apiToken.findUniqueOrThrow({ where: { id: t.id } });
    expect(second.lastUsedAt).toEqual(first.lastUsedAt);
    const uses = await f.db.auditLog.findMany({
      where: { action: "api_token.use", targetId: t.id },
      orderBy: { id: "asc" },
    });
    expect(uses).toHaveLength(2);
    expect(uses[0].actorId).toBe(f.viewer.id);
    expect(uses[0].actorLabel).toContain(t.name);
    expect(uses[0].metadata).toMatchObject({
      method: "GET",
      path: `/api/v1/releases/${someRelease.id}`,
      status: 200,
      target: { type: "release", id: someRelease.id },
    });
    const revoked = await revokeApiToken(f.viewer, t.id);
    expect(await f.db.auditLog.count({ where: { action: "api_token.revoke", targetId: t.id } })).toBe(1);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
  });

  it("limits each token's requests per minute: 429 with Retry-After, and another token is not affected", async () => {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL!, max: 2 });
    const global = globalThis as unknown as { greenlightApiLimiter?: ApiRateLimiter };
    const previous = global.greenlightApiLimiter;
    global.greenlightApiLimiter = new ApiRateLimiter(pool, 3);
    try {
      const busy = await token(f.viewer, ["dashboard:read"]);
      const quiet = await token(f.viewer, ["dashboard:read"]);
      const get = (secret: string) =>
        call(service.GET, "/api/v1/services/does-not-exist", { token: secret, params: { id: "does-not-exist" } });
      for (let i = 0; i < 3; i++) expect((await get(busy.secret)).status).toBe(404);
      const limited = await get(busy.secret);
      expectProblem(limited, 429, /too many requests; try again in \d+ s/, "/api/v1/services/does-not-exist");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect((await get(quiet.secret)).status).toBe(404);
    } finally {
      global.greenlightApiLimiter = previous;
      await pool.end();
    }
  });
});

describe("ci-pipeline", () => {
  let worker: RunWorker;
  const kubeconfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-api-v1-"));

  beforeAll(async () => {
    worker = await startRunWorker({
      connectionString: process.env.DATABASE_URL!,
      gateway: () => new ClusterGateway(sandbox.kubeConfig, { timeoutMs: 5000 }),
      leaseMs: 3000,
      concurrency: 2,
    });
    // The service route reads live state through the app's own gateways (by context name).
    const file = path.join(kubeconfigDir, "config");
    const kc = sandbox.kubeConfig;
    const exported = JSON.parse(kc.exportConfig()) as { contexts: { name: string }[]; "current-context": string };
    for (const c of exported.contexts) if (c.name === exported["current-context"]) c.name = "api-sandbox";
    exported["current-context"] = "api-sandbox";
    fs.writeFileSync(file, JSON.stringify(exported));
    process.env.KUBECONFIG = file;
    forgetClusters();
  });
  afterAll(async () => {
    await worker?.stop();
    await removeWorkloads(sandbox);
    fs.rmSync(kubeconfigDir, { recursive: true, force: true });
  });

  it("creates a release, waits for the gate, deploys and follows the run to SUCCEEDED, through the API with a token", async () => {
    const suffix = randomBytes(3).toString("hex");
    const namespace = `api-v1-${suffix}`;
    await createWorkload(sandbox, namespace, "ROLLING", "registry.example.com/shop/web:1.0.0");
    const svc = await f.db.service.create({
      data: {
        name: `api-web-${suffix}`,
        displayName: `Api web ${suffix}`,
        repoUrl: "https://github.com/acme/web",
        targets: {
          create: {
            environmentId: f.production.id,
            cluster: "api-sandbox",
            namespace,
            deploymentName: "web",
            containerName: "web",
            kubeServiceName: "web",
            defaultStrategy: "ROLLING",
          },
        },
      },
    });
    const pipeline = await token(f.admin, ["dashboard:read", "release:create", "release:deploy"], {
      kind: "SERVICE",
      environmentIds: [f.production.id],
    });
    const commit = randomBytes(20).toString("hex");

    const created = await call(releases.POST, "/api/v1/releases", {
      token: pipeline.secret,
      body: {
        service: svc.name,
        environment: "production",
        imageRef: "registry.example.com/shop/web:1.1.0",
        commitSha: commit,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const releaseId = created.body!.id as string;
    expect(created.body).toMatchObject({ status: "PENDING", strategy: "ROLLING", environment: { name: "production" } });
    expect(created.body!.links).toEqual([
      { label: `Commit ${commit.slice(0, 12)}`, url: `https://github.com/acme/web/commit/${commit}` },
    ]);

    const readGate = () =>
      call(gate.GET, `/api/v1/releases/${releaseId}/gate`, { token: pipeline.secret, params: { id: releaseId } });
    const missing = await readGate();
    expect(missing.status).toBe(200);
    expect(missing.body!.green).toBe(false);
    const roles = (missing.body!.unmet as { kind: string; role?: string }[])
      .filter((u) => u.kind === "approval")
      .map((u) => u.role);
    expect(roles.sort()).toEqual([...APPROVER_ROLES].sort());

    // Deploying before the gate is green is the deploy action's own refusal.
    const early = await call(deploy.POST, `/api/v1/releases/${releaseId}/deploy`, {
      token: pipeline.secret,
      method: "POST",
      params: { id: releaseId },
    });
    expectProblem(early, 409, /The gate is not green/, `/api/v1/releases/${releaseId}/deploy`);

    // The sign-offs and checklist, as people give them in the browser (through lib/).
    await approveRelease(releaseId, f.releaseManager);
    const ready = await readGate();
    expect(ready.body, JSON.stringify(ready.body)).toMatchObject({ green: true, unmet: [] });

    const started = await call(deploy.POST, `/api/v1/releases/${releaseId}/deploy`, {
      token: pipeline.secret,
      method: "POST",
      params: { id: releaseId },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body!.id as string;
    // A second deploy while the first runs: the same conflict as the button.
    const again = await call(deploy.POST, `/api/v1/releases/${releaseId}/deploy`, {
      token: pipeline.secret,
      method: "POST",
      params: { id: releaseId },
    });
    expect(again.status).toBe(409);

    let last: Awaited<ReturnType<typeof call>> | undefined;
    await waitFor(
      async () => {
        last = await call(runs.GET, `/api/v1/runs/${runId}`, { token: pipeline.secret, params: { id: runId } });
        return ["SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK"].includes(last.body!.status as string);
      },
      45_000,
      250,
    );
    expect(last!.body!.status, JSON.stringify(last!.body)).toBe("SUCCEEDED");
    expect((last!.body!.events as { step: string }[]).map((e) => e.step)).toEqual(
      expect.arrayContaining(["set-image"]),
    );

    const after = await call(release.GET, `/api/v1/releases/${releaseId}`, {
      token: pipeline.secret,
      params: { id: releaseId },
    });
    expect(after.body).toMatchObject({ status: "DEPLOYED", latestRun: { id: runId, status: "SUCCEEDED" } });
    const live = await call(service.GET, `/api/v1/services/${svc.name}`, {
      token: pipeline.secret,
      params: { id: svc.name },
    });
    expect(live.status).toBe(200);
    expect(live.body!.environments).toHaveLength(1);
    expect(live.body!.environments[0].live.image).toBe("registry.example.com/shop/web:1.1.0");

    // Every answered request of the pipeline is on the record with its token.
    const uses = await f.db.auditLog.count({ where: { action: "api_token.use", targetId: pipeline.id } });
    expect(uses).toBeGreaterThanOrEqual(6);
    expect(await f.db.auditLog.count({ where: { action: "run.request", targetId: runId, actorId: f.admin.id } })).toBe(
      1,
    );
  });
});

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 and describes every route file under app/api/v1", async () => {
    const { Validator } = await import("@seriousme/openapi-schema-validator");
    const answer = await openapi.GET(new Request("http://127.0.0.1:3000/api/v1/openapi.json"));
    expect(answer.status).toBe(200);
    const document = (await answer.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);

    const root = path.resolve(import.meta.dirname, "../..");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true }))
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else if (entry.name === "route.ts") files.push(path.join(dir, entry.name));
    };
    walk("app/api/v1");
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const apiPath = `/${path.dirname(file)}`.replace(/^\/app/, "").replace(/\[(\w+)\]/g, "{$1}");
      expect(document.paths, `${file} is in the document`).toHaveProperty([apiPath]);
      const exported = Object.keys((await import(path.join(root, file))) as object).filter((k) =>
        ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(k),
      );
      for (const method of exported)
        expect(Object.keys(document.paths[apiPath]), `${method} ${apiPath}`).toContain(method.toLowerCase());
    }
  });
});
