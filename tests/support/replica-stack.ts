/**
 * Greenlight as it runs on Kubernetes, on one machine: two web processes (`next start`, the
 * build `npm start` made) and two run workers (scripts/worker.ts) against one PostgreSQL and one
 * cluster, behind a round-robin balancer standing in for the Service. e2e/replicas.spec.ts
 * drives it; nothing here is shared with the suite's own app.
 *
 * It prints one line `stack {json}` (ReplicaStack) once every process is ready, and stops
 * everything when its stdin closes (the spec ended, however it ended) or on SIGTERM. A worker
 * killed by the spec stays dead: that is what the spec is testing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { seed } from "@/lib/seed/seed";
import { startSandboxCluster } from "@greenlight/sandbox-cluster/cluster";

export interface ReplicaStack {
  /** The balancer: what a browser talks to, as to a Service in front of the web pods. */
  url: string;
  /** Each web process directly, for spreading requests over both on purpose. */
  webUrls: [string, string];
  workers: { pid: number }[];
  databaseUrl: string;
  kubeconfig: string;
}

const root = path.resolve(import.meta.dirname, "../..");
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) process.stderr.write(`[${name}] ${line}\n`);
  };
  child.stdout!.on("data", relay);
  child.stderr!.on("data", relay);
  children.push(child);
  return child;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode}`);
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

/** Round robin over the web processes, request by request, as kube-proxy spreads connections. */
function balancer(upstreams: number[], port: number): http.Server {
  let next = 0;
  const server = http.createServer((req, res) => {
    const upstream = upstreams[next++ % upstreams.length];
    const proxied = http.request(
      { host: "127.0.0.1", port: upstream, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "x-greenlight-upstream": String(upstream) });
        answer.pipe(res);
      },
    );
    proxied.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`upstream ${upstream}: ${error.message}`);
    });
    req.pipe(proxied);
  });
  // Every request on its own connection, so consecutive requests really alternate.
  server.keepAliveTimeout = 0;
  server.listen(port, "127.0.0.1");
  return server;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-replicas-"));
const database = await startEmbeddedPostgres({
  dataDir: path.join(dir, "postgres"),
  port: await freePort(),
  database: "greenlight",
});
await migrate(database.url);
await migrateJobQueue(database.url);
process.env.DATABASE_URL = database.url;
const { getDb } = await import("@/lib/db");
await seed(getDb(), { demo: true });
await getDb().$disconnect();

// Pods take a few seconds to become ready, so a run is still going when the spec kills its worker.
const sandbox = await startSandboxCluster({
  dataDir: path.join(dir, "sandbox"),
  seedDemo: true,
  readyDelayMs: [2500, 3500],
  loadGenerator: false,
});

const [balancerPort, webA, webB] = [await freePort(), await freePort(), await freePort()];
const url = `http://127.0.0.1:${balancerPort}`;
const secret = randomBytes(32).toString("base64url");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  DATABASE_URL: database.url,
  KUBECONFIG: sandbox.kubeconfigPath,
  // One secret for both, as one Kubernetes Secret would give them: a session from either is good on both.
  AUTH_SECRET: secret,
  NEXTAUTH_SECRET: secret,
  NEXTAUTH_URL: url,
  APP_URL: url,
  HOST: "127.0.0.1",
  GREENLIGHT_DEMO_LOGIN: "true",
  NEXT_TELEMETRY_DISABLED: "1",
  LOG_LEVEL: "warn",
};
// No Prometheus: runs go on without analysis, which is not what this stack is about.
delete env.PROMETHEUS_URL;

const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const webs = [webA, webB].map((port) =>
  start(`web:${port}`, process.execPath, [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"], env),
);
// Node itself with tsx as its loader (not tsx's launcher, which would be a parent process): the
// pid is the worker's own, the one in the leases it takes, so the spec can kill that one.
const workers = [1, 2].map((n) =>
  start(`worker${n}`, process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], env),
);
const server = balancer([webA, webB], balancerPort);

await Promise.all([
  waitFor(`http://127.0.0.1:${webA}/api/ready`, webs[0], 120_000),
  waitFor(`http://127.0.0.1:${webB}/api/ready`, webs[1], 120_000),
]);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  await Promise.all(
    children.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise((resolve) => {
            const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
            child.once("exit", () => resolve(clearTimeout(force)));
          }),
    ),
  );
  await sandbox.stop();
  await database.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on("end", () => void stop());
process.stdin.on("close", () => void stop());
process.stdin.resume();
process.on("SIGTERM", () => void stop());

const stack: ReplicaStack = {
  url,
  webUrls: [`http://127.0.0.1:${webA}`, `http://127.0.0.1:${webB}`],
  workers: workers.map((w) => ({ pid: w.pid! })),
  databaseUrl: database.url,
  kubeconfig: sandbox.kubeconfigPath,
};
process.stdout.write(`stack ${JSON.stringify(stack)}\n`);
