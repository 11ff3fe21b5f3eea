import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";

export const PROMETHEUS_BINARY_CANDIDATES = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"];

export function findPrometheus(): string | null {
  return process.env.PROMETHEUS_BIN ?? PROMETHEUS_BINARY_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export interface LocalPrometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * Whether a Prometheus behind its web config answers at all: without credentials it says 401,
 * and its certificate is the test's own, so neither is checked here.
 */
function answers(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const request = (tls ? https : http).get(
      { host: "127.0.0.1", port, path: "/-/ready", rejectUnauthorized: false, timeout: 1000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200 || response.statusCode === 401);
      },
    );
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

export interface AppScrapeTarget {
  job: string;
  /** The full URL of the metrics endpoint, e.g. http://127.0.0.1:3000/api/metrics. */
  url: string;
  /** A file holding the bearer token (METRICS_TOKEN); Prometheus re-reads it at each scrape. */
  credentialsFile: string;
}

/** A scrape job for one of Greenlight's own metrics endpoints, authenticated with its token file. */
export function appScrapeConfig(target: AppScrapeTarget): string[] {
  const url = new URL(target.url);
  return [
    `  - job_name: ${JSON.stringify(target.job)}`,
    `    scheme: ${url.protocol.replace(":", "")}`,
    `    metrics_path: ${JSON.stringify(url.pathname)}`,
    "    authorization:",
    `      credentials_file: ${JSON.stringify(target.credentialsFile)}`,
    "    static_configs:",
    `      - targets: [${JSON.stringify(url.host)}]`,
  ];
}

export interface LocalPrometheusOptions {
  dataDir: string;
  port: number;
  /** Prometheus HTTP service discovery URL (the sandbox's /sandbox/targets). */
  targetsUrl?: string;
  /** Greenlight's own metrics endpoints (the web server's /api/metrics, the worker's /metrics). */
  appTargets?: AppScrapeTarget[];
  scrapeIntervalSeconds?: number;
  /** Alerting rule files to evaluate (absolute paths). */
  ruleFiles?: string[];
  /**
   * Prometheus's --web.config.file (basic_auth_users, tls_server_config): a Prometheus that asks
   * for credentials, as real ones do. `https` when the file turns TLS on.
   */
  web?: { configFile: string; https: boolean };
  /** Alertmanagers to send firing alerts to, as host:port. */
  alertmanagers?: string[];
  onLog?: (line: string) => void;
}

/**
 * Starts Debian's Prometheus on 127.0.0.1, scraping the sandbox's demo pods found through HTTP
 * service discovery. `honor_labels` keeps the pods' own namespace/pod labels.
 */
export async function startLocalPrometheus(options: LocalPrometheusOptions): Promise<LocalPrometheus> {
  const binary = findPrometheus();
  if (!binary)
    throw new Error("No prometheus binary. Install Debian's: apt-get install -y --no-install-recommends prometheus");
  const interval = `${options.scrapeIntervalSeconds ?? 5}s`;
  await fs.mkdir(options.dataDir, { recursive: true });
  const configPath = path.join(options.dataDir, "prometheus.yml");
  await fs.writeFile(
    configPath,
    [
      "global:",
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      "scrape_configs:",
      ...(options.targetsUrl
        ? [
            "  - job_name: sandbox",
            "    honor_labels: true",
            "    http_sd_configs:",
            `      - url: ${JSON.stringify(options.targetsUrl)}`,
            `        refresh_interval: ${interval}`,
          ]
        : []),
      ...(options.appTargets ?? []).flatMap(appScrapeConfig),
      ...(options.ruleFiles?.length
        ? ["rule_files:", ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)]
        : []),
      ...(options.alertmanagers?.length
        ? [
            "alerting:",
            "  alertmanagers:",
            "    - static_configs:",
            `        - targets: ${JSON.stringify(options.alertmanagers)}`,
          ]
        : []),
      "",
    ].join("\n"),
  );
  const url = `${options.web?.https ? "https" : "http"}://127.0.0.1:${options.port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${path.join(options.dataDir, "data")}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      "--storage.tsdb.retention.time=7d",
      "--web.enable-lifecycle",
      ...(options.web ? [`--web.config.file=${options.web.configFile}`] : []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const log = (chunk: Buffer) => options.onLog?.(chunk.toString().trim());
  child.stdout?.on("data", log);
  child.stderr?.on("data", log);
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const reason = /address already in use/.test(output) ? `port ${options.port} is taken` : `code ${child.exitCode}`;
      throw new Error(`prometheus exited (${reason})`);
    }
    // A timeout per probe: something else holding the port may accept and never answer.
    const ready = options.web
      ? await answers(options.port, options.web.https)
      : await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false,
        );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("prometheus did not become ready within 30 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
