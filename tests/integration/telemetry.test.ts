import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "@/lib/db/embedded-postgres";
import { getDb } from "@/lib/db";
import { addJob, deployRunJob } from "@/lib/jobs/registry";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { PrometheusGateway, type PrometheusAuth } from "@/lib/prometheus/client";
import { findPrometheus, startLocalPrometheus, type LocalPrometheus } from "@/lib/prometheus/local-server";
import { withRequestId } from "@/lib/telemetry/request-context";
import { serveMetrics, type MetricsServer } from "@/lib/telemetry/server";
import { serveHandler, type HandlerServer } from "@/tests/support/alertmanager";
import { startFaultProxy } from "@/tests/support/fault-proxy";
import { testClusters } from "@/tests/support/test-clusters";

const METRICS_TOKEN = vi.hoisted(() => {
  // Read once by lib/env.ts: set before anything imports it.
  const token = "telemetry-test-metrics-token-0123456789";
  process.env.METRICS_TOKEN = token;
  process.env.LOG_LEVEL = "silent";
  return token;
});

/**
 * Greenlight's own telemetry against the real things: Debian's Prometheus scraping the web
 * server's /api/metrics and the worker's metrics port with the bearer token (and not without
 * it); the Prometheus client authenticating to a Prometheus that asks for basic auth over TLS
 * with a private CA, and to one behind a bearer-token proxy; and the request id reaching the
 * API server of the sandbox and of a real kube-apiserver as the Audit-ID header, which
 * kube-apiserver takes as the audit event's id where auditing is on.
 */
if (!findPrometheus()) throw new Error("Prometheus is not installed (npm test installs Debian's prometheus package)");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-telemetry-"));
fs.chmodSync(dir, 0o755);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content, { mode: 0o644 });
  return target;
}

let context = async () => "";

async function until<T>(what: string, read: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${await context()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ALERT_RULES = path.resolve("deploy/prometheus/greenlight-alerts.yml");

describe("Prometheus scrapes Greenlight's own metrics", () => {
  let web: HandlerServer;
  let worker: MetricsServer;
  let prometheus: LocalPrometheus;
  let client: PrometheusGateway;

  beforeAll(async () => {
    await migrateJobQueue(process.env.DATABASE_URL!);
    // A due job no worker takes: the queue gauges have something to say.
    await getDb().$executeRaw`select ${addJob(deployRunJob, { runId: "telemetry-run" }, { key: "run:telemetry-run" })}`;
    const { GET } = await import("@/app/api/metrics/route");
    web = await serveHandler(async (request) => GET(request));
    worker = await serveMetrics({ host: "127.0.0.1", port: 0, token: METRICS_TOKEN });
    const tokenFile = file("metrics-token", METRICS_TOKEN);
    const wrongTokenFile = file("wrong-token", "not-the-metrics-token-at-all");
    prometheus = await startLocalPrometheus({
      dataDir: path.join(dir, "prometheus-scrape"),
      port: await freePort(),
      scrapeIntervalSeconds: 1,
      ruleFiles: [ALERT_RULES],
      appTargets: [
        { job: "greenlight-web", url: `${web.url}/api/metrics`, credentialsFile: tokenFile },
        { job: "greenlight-worker", url: worker.url, credentialsFile: tokenFile },
        { job: "greenlight-wrong-token", url: `${web.url}/api/metrics`, credentialsFile: wrongTokenFile },
      ],
    });
    client = new PrometheusGateway(prometheus.url);
    // A target that never comes up says why in the failure.
    context = async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
      };
      return `; targets: ${JSON.stringify(body.data.activeTargets.map((t) => [t.labels.job, t.health, t.lastError]))}`;
    };
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await worker?.close();
    await web?.close();
  });

  const value = async (promql: string) => {
    const result = await client.scalar(promql, Date.now());
    return result.ok ? result.value : null;
  };

  it("scrapes the web server and the worker with the token, and is refused without it", async () => {
    expect(await until("the web target up", () => value('up{job="greenlight-web"} == 1'))).toBe(1);
    expect(await until("the worker target up", () => value('up{job="greenlight-worker"} == 1'))).toBe(1);
    expect(await until("the wrong-token target down", () => value('up{job="greenlight-wrong-token"} == 0'))).toBe(0);
    expect(web.answered).toContain(401);
  });

  it("stores the queue, run and process series the alerts in the README use", async () => {
    for (const series of [
      'greenlight_job_queue_jobs{job="greenlight-web",task="deployment-run",state="ready"}',
      'greenlight_job_queue_oldest_ready_seconds{job="greenlight-web",task="rollback-run"}',
      'greenlight_runs_past_deadline{job="greenlight-web"}',
      'greenlight_database_metrics_up{job="greenlight-web"}',
      'process_cpu_seconds_total{job="greenlight-worker"}',
    ])
      expect(await until(series, () => value(`count(${series})`))).toBe(1);
    expect(await value('greenlight_database_metrics_up{job="greenlight-web"}')).toBe(1);
    expect(await value('greenlight_job_queue_jobs{job="greenlight-web",task="deployment-run",state="ready"}')).toBe(1);
    expect(
      await value('greenlight_job_queue_oldest_ready_seconds{job="greenlight-web",task="deployment-run"}'),
    ).toBeGreaterThan(0);
  });

  it("evaluates the README's alert rules on them without errors", async () => {
    execFileSync("promtool", ["check", "rules", ALERT_RULES], { stdio: "pipe" });
    const rules = await until("the alert rules evaluated", async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== "unknown") ? all : null;
    });
    expect(rules.map((r) => [r.name, r.health, r.lastError ?? ""])).toEqual(rules.map((r) => [r.name, "ok", ""]));
    expect(rules).toHaveLength(8);
  });
});

describe("the Prometheus client authenticates", () => {
  let secured: LocalPrometheus;
  let open: LocalPrometheus;
  let bearerProxy: http.Server;
  let bearerUrl: string;
  let expectedBearer = "first-token";
  const ca = { cert: "", otherCert: "" };

  beforeAll(async () => {
    // A private CA and a certificate for 127.0.0.1 signed by it; a second CA that signed nothing.
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    for (const name of ["ca", "other-ca"])
      openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${name}`,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.crt`,
      );
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=prometheus",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
    );
    file("san.ext", "subjectAltName=IP:127.0.0.1\n");
    openssl(
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "san.ext",
      "-out",
      "server.crt",
    );
    ca.cert = fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
    ca.otherCert = fs.readFileSync(path.join(dir, "other-ca.crt"), "utf8");
    for (const key of ["server.key", "ca.key", "other-ca.key"]) fs.chmodSync(path.join(dir, key), 0o644);

    const webConfig = file(
      "web.yml",
      [
        "tls_server_config:",
        `  cert_file: ${JSON.stringify(path.join(dir, "server.crt"))}`,
        `  key_file: ${JSON.stringify(path.join(dir, "server.key"))}`,
        "basic_auth_users:",
        `  greenlight: ${JSON.stringify(bcrypt.hashSync("s3cret-password", 4))}`,
        "",
      ].join("\n"),
    );
    [secured, open] = await Promise.all([
      startLocalPrometheus({
        dataDir: path.join(dir, "prometheus-secured"),
        port: await freePort(),
        web: { configFile: webConfig, https: true },
      }),
      startLocalPrometheus({ dataDir: path.join(dir, "prometheus-open"), port: await freePort() }),
    ]);
    // Bearer tokens are what a proxy in front of Prometheus checks (Prometheus itself knows
    // only basic auth and client certificates).
    bearerProxy = http.createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${expectedBearer}`) {
        res.writeHead(401, { "content-type": "text/plain" }).end("Unauthorized");
        return;
      }
      http.get(`${open.url}${req.url}`, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      });
    });
    await new Promise<void>((resolve) => bearerProxy.listen(0, "127.0.0.1", resolve));
    bearerUrl = `http://127.0.0.1:${(bearerProxy.address() as AddressInfo).port}`;
  }, 90_000);

  afterAll(async () => {
    await Promise.all([secured?.stop(), open?.stop()]);
    await new Promise((resolve) => bearerProxy?.close(resolve));
  });

  let n = 0;
  // A query of its own each time: answers are cached per query.
  const ask = (url: string, auth: PrometheusAuth) => new PrometheusGateway(url, { auth }).scalar(`vector(${++n})`);

  it("with basic auth over TLS signed by a private CA", async () => {
    const result = await ask(secured.url, {
      basic: { username: "greenlight", password: "s3cret-password" },
      ca: ca.cert,
    });
    expect(result).toEqual({ ok: true, value: n });
  });

  it.each([
    [
      "a wrong password",
      (): PrometheusAuth => ({ basic: { username: "greenlight", password: "wrong" }, ca: ca.cert }),
      "unauthorized",
      /refused the username and password Greenlight sent \(HTTP 401\): check PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD/,
    ],
    [
      "no credentials",
      (): PrometheusAuth => ({ ca: ca.cert }),
      "unauthorized",
      /asks for credentials \(HTTP 401\): set PROMETHEUS_BEARER_TOKEN/,
    ],
    [
      "no CA for a private certificate",
      (): PrometheusAuth => ({ basic: { username: "greenlight", password: "s3cret-password" } }),
      "unavailable",
      /certificate is not trusted .*set PROMETHEUS_CA_FILE/,
    ],
    [
      "the wrong CA",
      (): PrometheusAuth => ({ basic: { username: "greenlight", password: "s3cret-password" }, ca: ca.otherCert }),
      "unavailable",
      /not signed by the CA in PROMETHEUS_CA_FILE/,
    ],
  ])("refuses %s with a sentence that says what to set", async (_, auth, type, message) => {
    const result = await ask(secured.url, auth());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe(type);
    expect(result.error.message).toMatch(message);
  });

  it("with a bearer token, re-reading its file as the token rotates", async () => {
    const tokenFile = file("bearer", "first-token\n");
    expect(await ask(bearerUrl, { bearerTokenFile: tokenFile })).toEqual({ ok: true, value: n });
    expectedBearer = "second-token";
    const stale = await ask(bearerUrl, { bearerTokenFile: tokenFile });
    expect(stale.ok ? null : stale.error.message).toMatch(/refused the bearer token/);
    fs.writeFileSync(tokenFile, "second-token\n");
    const gateway = new PrometheusGateway(bearerUrl, { auth: { bearerTokenFile: tokenFile } });
    expect(await gateway.scalar("vector(42)")).toEqual({ ok: true, value: 42 });
  });
});

describe("cluster calls carry the request id", async () => {
  const clusters = await testClusters();

  describe.each(clusters)("$name", (cluster) => {
    it("as the Audit-ID header of every call made for the request", async () => {
      const proxy = await startFaultProxy(cluster.kubeConfig);
      const seen: (string | string[] | undefined)[] = [];
      proxy.intercept((request) => {
        seen.push(request.headers["audit-id"]);
        return undefined;
      });
      try {
        const gateway = new ClusterGateway(proxy.kubeConfig);
        await withRequestId("4bf92f3577b34da6a3ce929d0e0e4736", async () => {
          await gateway.readDeployment("default", "no-such-deployment");
          await gateway.listPods("default", "app=nothing");
        });
        await gateway.readService("default", "kubernetes");
      } finally {
        await proxy.stop();
      }
      expect(seen).toEqual(["4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736", undefined]);
    });
  });
});
