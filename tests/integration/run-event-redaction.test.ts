import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { executeRun } from "@/lib/deploy/engine/executor";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { err } from "@/lib/k8s/result";
import { REDACTED } from "@/lib/redact/secrets";
import { createRelease } from "@/lib/releases/create-release";
import { seedDemo } from "@/tests/support/fixtures";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor } from "@/tests/support/workloads";

// The route runs as whoever this says is signed in.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/current-user", async (original) => ({
  ...(await original<typeof import("@/lib/auth/current-user")>()),
  getCurrentUser: async () => session.user,
}));
const { GET } = await import("@/app/api/runs/[id]/route");

const [sandbox] = await testClusters();
let f: Awaited<ReturnType<typeof seedDemo>>;

const PASSWORD = "hunter2-very-secret";
const DB_URL_PASSWORD = "pg-pass-1234";
const TOKEN = "dGhpcyBpcyBhIHNlY3JldCB2YWx1ZSBvZiBzb21lIGxlbmd0aA9Z";
const SECRETS = [PASSWORD, DB_URL_PASSWORD, TOKEN];
const ENV = [
  { name: "LOG_LEVEL", value: "info" },
  { name: "DB_PASSWORD", value: PASSWORD },
  { name: "DATABASE_URL", value: `postgres://shop:${DB_URL_PASSWORD}@db:5432/shop` },
  { name: "UPSTREAM_KEY_MATERIAL", value: TOKEN },
  { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "web-secrets", key: "token" } } },
];

let runId: string;

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);

  // A rolling service whose live version (1.0.1) carries secrets in its pod template's env.
  const suffix = randomBytes(3).toString("hex");
  const namespace = `it-redact-${suffix}`;
  const { apps } = await createWorkload(sandbox!, namespace, "ROLLING", "registry.example.com/shop/web:1.0.0", {
    replicas: 1,
  });
  const live = await apps.readNamespacedDeployment({ namespace, name: "web" });
  live.spec!.template.spec!.containers[0]!.image = "registry.example.com/shop/web:1.0.1";
  live.spec!.template.spec!.containers[0]!.env = ENV;
  await apps.replaceNamespacedDeployment({ namespace, name: "web", body: live });
  await waitFor(async () => {
    const d = await apps.readNamespacedDeployment({ namespace, name: "web" });
    return (d.status?.updatedReplicas ?? 0) === 1 && (d.status?.availableReplicas ?? 0) === 1;
  }, 30_000);

  const service = await getDb().service.create({
    data: {
      name: `web-${suffix}`,
      displayName: `Web ${suffix}`,
      targets: {
        create: {
          environmentId: f.staging.id,
          cluster: sandbox!.name,
          namespace,
          deploymentName: "web",
          containerName: "web",
          kubeServiceName: "web",
          defaultStrategy: "ROLLING",
        },
      },
    },
  });
  const release = await createRelease(f.releaseManager, {
    serviceId: service.id,
    environmentId: f.staging.id,
    imageRef: "registry.example.com/shop/web:1.1.0",
    strategy: "ROLLING",
    changeSummary: "Ship 1.1.0 to staging.",
    links: [],
  });

  // The cluster refuses both writes: the deploy fails at set-image, and its recovery, putting the
  // previous pod template (the one with the env) back, fails too. The failed write's request,
  // the whole template, is what the run records.
  const gateway = new ClusterGateway(sandbox!.kubeConfig, { timeoutMs: 5000 });
  const refused = async () =>
    err({ type: "invalid", status: 422, message: "admission webhook denied the request", reason: "Invalid" });
  gateway.patchDeployment = refused;
  gateway.updateDeployment = refused;

  runId = (await requestDeploy(f.releaseManager, release.id)).id;
  expect(await executeRun(runId, { workerId: "redaction-test", gateway: () => gateway, leaseMs: 3000 })).toBe(
    "finished",
  );
}, 120_000);

afterAll(async () => {
  await removeWorkloads(sandbox!);
});

describe("a deploy whose pod template has secrets in its env", () => {
  it("stores its events with the secret values redacted", async () => {
    const events = await getDb().runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
    const stored = JSON.stringify(events.map((e) => [e.request, e.response]));
    // The recovery's refused write recorded the template it sent.
    const withTemplate = events.find((e) => JSON.stringify(e.request ?? null).includes('"env"'));
    expect(withTemplate, JSON.stringify(events.map((e) => `${e.step}:${e.phase}`))).toBeDefined();
    for (const secret of SECRETS) expect(stored).not.toContain(secret);

    const env = (withTemplate!.request as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } }).spec
      .template.spec.containers[0]!.env;
    expect(env).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "DB_PASSWORD", value: REDACTED },
      { name: "DATABASE_URL", value: `postgres://shop:${REDACTED}@db:5432/shop` },
      { name: "UPSTREAM_KEY_MATERIAL", value: REDACTED },
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "web-secrets", key: "token" } } },
    ]);
  });
});

describe("GET /api/runs/:id", () => {
  const get = async (user: CurrentUser) => {
    session.user = user;
    const response = await GET(new Request(`http://localhost/api/runs/${runId}`), {
      params: Promise.resolve({ id: runId }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { events: Record<string, unknown>[] };
  };

  beforeAll(async () => {
    // An event written before redaction existed, stored in clear: it must not be shown in clear.
    await getDb().runEvent.create({
      data: {
        runId,
        seq: 1000,
        step: "legacy",
        phase: "INFO",
        message: "written by an older version",
        request: { spec: { template: { spec: { containers: [{ name: "web", env: ENV }] } } } },
      },
    });
  });

  it("gives a viewer the step summaries, without request or response bodies", async () => {
    const run = await get(f.viewer);
    expect(run.events.length).toBeGreaterThan(3);
    for (const event of run.events) {
      expect(Object.keys(event).sort()).toEqual(["at", "message", "phase", "seq", "step"]);
    }
    expect(JSON.stringify(run)).not.toContain('"env"');
  });

  it("gives an approver (not a deployer) summaries too", async () => {
    const cto = await getDb().user.findFirstOrThrow({ where: { roles: { some: { role: "CTO" } } } });
    const { loadUser } = await import("@/lib/auth/current-user");
    const run = await get((await loadUser(cto.id))!);
    expect(run.events.every((e) => !("request" in e) && !("response" in e))).toBe(true);
  });

  it.each(["releaseManager", "onCall", "admin"] as const)("gives the %s the bodies, redacted", async (who) => {
    const run = await get(f[who]);
    const text = JSON.stringify(run);
    expect(text).toContain('"env"');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const legacy = run.events.find((e) => e.step === "legacy")!;
    expect(JSON.stringify(legacy.request)).toContain(REDACTED);
    expect(JSON.stringify(legacy.request)).toContain('"LOG_LEVEL","value":"info"');
  });
});
