/**
 * The `greenlight` CLI as a CI job runs it: its own process (bin/greenlight.mjs), talking HTTP to
 * the /api/v1 route handlers (served here by a small node:http server in front of them), with a
 * token made by `npm run api-token` (scripts/api-token.ts, its own process too). The pipeline:
 * create → gate (not green: lists what is missing) → gate --wait while people sign → deploy
 * --wait on the sandbox cluster → run status. Exit codes are what a job would fail on.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.LOG_LEVEL = "silent";
});

import { migrateJobQueue, startRunWorker, type RunWorker } from "@/lib/jobs/worker";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { APPROVER_ROLES } from "@/lib/roles";
import { createApiToken } from "@/lib/api-tokens/store";
import { approveRelease } from "@/tests/support/approve";
import { seedDemo } from "@/tests/support/fixtures";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor } from "@/tests/support/workloads";
import * as releases from "@/app/api/v1/releases/route";
import * as release from "@/app/api/v1/releases/[id]/route";
import * as gate from "@/app/api/v1/releases/[id]/gate/route";
import * as deploy from "@/app/api/v1/releases/[id]/deploy/route";
import * as runs from "@/app/api/v1/runs/[id]/route";
import * as rollback from "@/app/api/v1/services/[id]/rollback/route";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const root = path.resolve(import.meta.dirname, "../..");
const ROUTES: [string, RegExp, Handler][] = [
  ["POST", /^\/api\/v1\/releases$/, releases.POST as Handler],
  ["GET", /^\/api\/v1\/releases\/(?<id>[^/]+)$/, release.GET as Handler],
  ["GET", /^\/api\/v1\/releases\/(?<id>[^/]+)\/gate$/, gate.GET as Handler],
  ["POST", /^\/api\/v1\/releases\/(?<id>[^/]+)\/deploy$/, deploy.POST as Handler],
  ["GET", /^\/api\/v1\/runs\/(?<id>[^/]+)$/, runs.GET as Handler],
  ["POST", /^\/api\/v1\/services\/(?<id>[^/]+)\/rollback$/, rollback.POST as Handler],
];

let f: Awaited<ReturnType<typeof seedDemo>>;
let server: http.Server;
let baseUrl: string;
let worker: RunWorker;
const clusters = await testClusters();
const sandbox = clusters[0];

/** The route handlers behind a real HTTP port, as Next serves them. */
function serve(): Promise<http.Server> {
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(url.pathname));
        if (!route) {
          res.writeHead(404).end();
          return;
        }
        const params = url.pathname.match(route[1])?.groups ?? {};
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const answer = await route[2](
          new Request(url, { method: req.method, headers: req.headers as Record<string, string>, body }),
          { params: Promise.resolve({ ...params }) },
        );
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command of this repository in its own process and collects what it printed. */
function run(
  command: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  executable = process.execPath,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, command, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command.join(" ")} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const apiToken = (...args: string[]) =>
  run(["--conditions=react-server", "--import", "tsx", "scripts/api-token.ts", ...args], {
    DATABASE_URL: process.env.DATABASE_URL!,
  });

let token = "";
const greenlight = (...args: string[]) =>
  run(["bin/greenlight.mjs", ...args, "--interval", "0.3", "--timeout", "90"].filter(Boolean), {
    GREENLIGHT_URL: baseUrl,
    GREENLIGHT_TOKEN: token,
  });

/** A production target on the sandbox for one pipeline, with its Deployment running 1.0.0. */
async function pipelineService(prefix: string) {
  const suffix = randomBytes(3).toString("hex");
  const namespace = `${prefix}-${suffix}`;
  await createWorkload(sandbox, namespace, "ROLLING", "registry.example.com/shop/web:1.0.0");
  return f.db.service.create({
    data: {
      name: `${prefix}-web-${suffix}`,
      displayName: `${prefix} web ${suffix}`,
      repoUrl: "https://github.com/acme/web",
      targets: {
        create: {
          environmentId: f.production.id,
          cluster: `${prefix}-sandbox`,
          namespace,
          deploymentName: "web",
          containerName: "web",
          kubeServiceName: "web",
          defaultStrategy: "ROLLING",
        },
      },
    },
  });
}

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
  server = await serve();
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  worker = await startRunWorker({
    connectionString: process.env.DATABASE_URL!,
    gateway: () => new ClusterGateway(sandbox.kubeConfig, { timeoutMs: 5000 }),
    leaseMs: 3000,
    concurrency: 2,
  });
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((resolve) => server?.close(resolve));
  await removeWorkloads(sandbox);
});

describe("npm run api-token", () => {
  it("refuses a service token to a non-admin and scopes beyond the maker's roles, and stores nothing", async () => {
    const service = await apiToken(
      "create",
      "--as",
      f.releaseManager.email,
      "--name",
      "CI web",
      "--service",
      "--scopes",
      "release:create",
    );
    expect(service.code).toBe(1);
    expect(service.stderr).toContain("Only an admin can make a service token.");
    const beyond = await apiToken("create", "--as", f.viewer.email, "--name", "Mine", "--scopes", "release:deploy");
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/Your roles do not allow release:deploy/);
    expect(await f.db.apiToken.count()).toBe(0);
  });
});

describe("greenlight CLI", () => {
  it("drives a pipeline: create, gate, gate --wait while people sign, deploy --wait, run status", async () => {
    const svc = await pipelineService("cli");

    // The token: a service token by an admin, for production only; its secret alone on stdout.
    const made = await apiToken(
      "create",
      "--as",
      f.admin.email,
      "--name",
      "CI web",
      "--service",
      "--scopes",
      "dashboard:read,release:create,release:deploy",
      "--environments",
      "production",
      "--days",
      "30",
    );
    expect(made.code, made.stderr).toBe(0);
    token = made.stdout.trim();
    expect(token).toMatch(/^glt_[A-Za-z0-9_-]{43}$/);
    const stored = await f.db.apiToken.findFirstOrThrow({ where: { name: "CI web" } });
    expect(stored).toMatchObject({ kind: "SERVICE", ownerId: f.admin.id, environmentIds: [f.production.id] });

    const commit = randomBytes(20).toString("hex");
    const created = await greenlight(
      "release",
      "create",
      "--service",
      svc.name,
      "--environment",
      "production",
      "--image",
      "registry.example.com/shop/web:1.1.0",
      "--commit",
      commit,
    );
    expect(created.code, created.stderr).toBe(0);
    const releaseId = created.stdout.trim();
    expect(await f.db.release.findUniqueOrThrow({ where: { id: releaseId } })).toMatchObject({
      imageRef: "registry.example.com/shop/web:1.1.0",
      createdById: f.admin.id,
    });

    // Not green yet: exit 1 and the missing sign-offs in the job log.
    const once = await greenlight("gate", releaseId);
    expect(once.code).toBe(1);
    expect(once.stdout.trim()).toBe("not-green");
    const missing = await f.db.release.findUniqueOrThrow({ where: { id: releaseId } });
    expect(missing.status).toBe("PENDING");
    expect(once.stderr.split("\n").filter((l) => l.startsWith("  - ")).length).toBeGreaterThanOrEqual(
      APPROVER_ROLES.length,
    );

    // Deploying now is refused with the server's sentence, and the job fails.
    const early = await greenlight("deploy", releaseId);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/The gate is not green/);
    expect(await f.db.deploymentRun.count({ where: { releaseId } })).toBe(0);

    // gate --wait is still polling while the approvers sign and the checklist is ticked.
    const waiting = greenlight("gate", releaseId, "--wait");
    await approveRelease(releaseId, f.releaseManager);
    const green = await waiting;
    expect(green.code, green.stderr).toBe(0);
    expect(green.stdout.trim()).toBe("green");
    expect(green.stderr).toContain("The gate is green.");

    const deployed = await greenlight("deploy", releaseId, "--wait");
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout.trim()).toBe("SUCCEEDED");
    expect(deployed.stderr).toMatch(/\[set-image\]/);
    const runRow = await f.db.deploymentRun.findFirstOrThrow({ where: { releaseId } });
    expect(runRow).toMatchObject({ status: "SUCCEEDED", requestedById: f.admin.id });

    const status = await greenlight("run", "status", runRow.id);
    expect(status.code).toBe(0);
    expect(status.stdout.trim()).toBe("SUCCEEDED");

    // Revoked, the same token fails the job with the API's 401 sentence.
    const revoked = await apiToken("revoke", "--as", f.admin.email, stored.id);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await greenlight("run", "status", runRow.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401/);
    expect(refused.stderr).toMatch(/revoked/i);
  }, 180_000);
});

describe("the curl recipe (scripts/ci/greenlight-deploy.sh)", () => {
  const script = (args: string[], secret: string) =>
    run(
      ["scripts/ci/greenlight-deploy.sh", ...args],
      {
        GREENLIGHT_URL: baseUrl,
        GREENLIGHT_TOKEN: secret,
        POLL_INTERVAL: "0.3",
        RUN_TIMEOUT: "90",
        GATE_TIMEOUT: "90",
      },
      120_000,
      "bash",
    );

  it("creates, waits for the gate while people sign, deploys, waits for the run; a refusal fails the job", async () => {
    const svc = await pipelineService("curl");
    const { secret } = await createApiToken(f.admin, {
      name: "curl recipe",
      kind: "SERVICE",
      scopes: ["dashboard:read", "release:create", "release:deploy"],
      environmentIds: [],
      expiresInDays: 1,
    });
    const image = "registry.example.com/shop/web:1.2.0";
    let ended: Exit | undefined;
    const job = script([svc.name, "production", image, randomBytes(20).toString("hex")], secret).then(
      (exit) => (ended = exit),
    );
    // The script is polling the gate: sign once its release exists.
    await waitFor(
      async () => ended !== undefined || (await f.db.release.count({ where: { serviceId: svc.id } })) > 0,
      30_000,
    );
    expect(ended, ended?.stderr).toBeUndefined();
    const release = await f.db.release.findFirstOrThrow({ where: { serviceId: svc.id } });
    await approveRelease(release.id, f.releaseManager);
    const done = await job;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain("the gate is green");
    const runRow = await f.db.deploymentRun.findFirstOrThrow({ where: { releaseId: release.id } });
    expect(done.stdout.trim()).toBe(runRow.id);
    expect(runRow.status).toBe("SUCCEEDED");

    // A refusal: the problem's sentence in the job log, exit 1, nothing created.
    const before = await f.db.release.count();
    const refused = await script([svc.name, "production", "not an image"], secret);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/greenlight: HTTP 422/);
    expect(await f.db.release.count()).toBe(before);
    const unknown = await script([svc.name, "production", image], `glt_${"A".repeat(43)}`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/HTTP 401: This API token is not known/);
  }, 180_000);
});
