import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { isPortFree } from "@/lib/db/embedded-postgres";

/** Debian's prometheus-alertmanager installs the binary under this name. */
export const ALERTMANAGER_BINARY_CANDIDATES = ["/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager"];

export const ALERTMANAGER_INSTALL_HINT = "sudo apt-get install -y --no-install-recommends prometheus-alertmanager";

/** The webhook's path in the app. */
export const ALERTMANAGER_WEBHOOK_PATH = "/api/alerts/alertmanager";

export function findAlertmanager(): string | null {
  return process.env.ALERTMANAGER_BIN ?? ALERTMANAGER_BINARY_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export interface RoutingOptions {
  /** The app's webhook, e.g. http://127.0.0.1:3000/api/alerts/alertmanager. */
  webhookUrl: string;
  /** A file holding the bearer token (Alertmanager reads it on every notification). */
  credentialsFile: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

/**
 * The receiver block that sends alerts to Greenlight, for an Alertmanager's `receivers:`. With
 * `credentials` (the token itself) instead of `credentials_file` when no file is at hand.
 */
export function receiverSnippet(options: { webhookUrl: string; credentialsFile?: string; indent?: string }): string {
  const i = options.indent ?? "";
  return [
    `${i}- name: greenlight`,
    `${i}  webhook_configs:`,
    `${i}    - url: ${JSON.stringify(options.webhookUrl)}`,
    `${i}      send_resolved: true`,
    `${i}      http_config:`,
    `${i}        authorization:`,
    `${i}          type: Bearer`,
    options.credentialsFile
      ? `${i}          credentials_file: ${JSON.stringify(options.credentialsFile)}`
      : `${i}          credentials: <the value of ALERTMANAGER_TOKEN>`,
  ].join("\n");
}

/**
 * A whole Alertmanager configuration routing every alert to Greenlight. Grouped per alert,
 * service and environment, so one service's alert never waits for another's; a short group_wait
 * so an incident opens within seconds of Prometheus firing.
 */
export function alertmanagerConfig(options: RoutingOptions): string {
  return [
    "route:",
    "  receiver: greenlight",
    "  group_by: [alertname, service, environment]",
    `  group_wait: ${options.groupWait ?? "1s"}`,
    `  group_interval: ${options.groupInterval ?? "10s"}`,
    `  repeat_interval: ${options.repeatInterval ?? "1h"}`,
    "receivers:",
    receiverSnippet({ webhookUrl: options.webhookUrl, credentialsFile: options.credentialsFile, indent: "  " }),
    "",
  ].join("\n");
}

export const DEMO_ALERT_NAME = "GreenlightDemoHighErrorRate";

/**
 * The Prometheus rule `npm start` evaluates on the demo services: more than 5% of a Service's
 * requests answered 5xx over the last minute, for 30 s. The sandbox's series carry `app` and
 * `namespace` (shop-<environment>); the rule adds `service` and `environment`, the labels a
 * target matches by default, so the demo targets need no alert matchers.
 */
export function demoAlertRules(options: { forSeconds?: number; threshold?: number } = {}): string {
  const threshold = options.threshold ?? 0.05;
  const expr = [
    "label_replace(",
    "  label_replace(",
    '    sum by (app, namespace) (rate(http_requests_total{namespace=~"shop-.+",status=~"5.."}[1m]))',
    '      / sum by (app, namespace) (rate(http_requests_total{namespace=~"shop-.+"}[1m]))',
    `      > ${threshold},`,
    '    "service", "$1", "app", "(.+)"),',
    '  "environment", "$1", "namespace", "shop-(.+)")',
  ];
  return [
    "groups:",
    "  - name: greenlight-demo",
    "    rules:",
    `      - alert: ${DEMO_ALERT_NAME}`,
    "        expr: |",
    ...expr.map((line) => `          ${line}`),
    `        for: ${options.forSeconds ?? 30}s`,
    "        labels:",
    "          severity: high",
    "        annotations:",
    `          summary: "{{ $labels.service }} in {{ $labels.environment }} answers {{ $value | humanizePercentage }} of requests with 5xx"`,
    `          description: "More than ${threshold * 100}% of {{ $labels.service }}'s requests in {{ $labels.environment }} failed (5xx) over the last minute, for ${options.forSeconds ?? 30} s."`,
    "",
  ].join("\n");
}

export interface LocalAlertmanager {
  url: string;
  /** host:port, as Prometheus' alerting.alertmanagers targets want it. */
  address: string;
  stop(): Promise<void>;
}

export interface LocalAlertmanagerOptions extends Omit<RoutingOptions, "credentialsFile"> {
  dataDir: string;
  port: number;
  token: string;
  onLog?: (line: string) => void;
}

/**
 * Starts Debian's Alertmanager on 127.0.0.1, routing everything to the app's webhook with the
 * token. Clustering (gossip on :9094 on every interface by default) is turned off: one local
 * instance needs no peers and must not listen beyond loopback.
 */
export async function startLocalAlertmanager(options: LocalAlertmanagerOptions): Promise<LocalAlertmanager> {
  const binary = findAlertmanager();
  if (!binary) throw new Error(`No Alertmanager binary. Install Debian's: ${ALERTMANAGER_INSTALL_HINT}`);
  // Another Alertmanager on the port would answer the readiness probe in our stead.
  if (!(await isPortFree(options.port)))
    throw new Error(`port ${options.port} is taken (another Alertmanager still running?)`);
  await fs.mkdir(options.dataDir, { recursive: true });
  const credentialsFile = path.join(options.dataDir, "webhook-token");
  await fs.writeFile(credentialsFile, options.token, { mode: 0o600 });
  await fs.chmod(credentialsFile, 0o600);
  const configPath = path.join(options.dataDir, "alertmanager.yml");
  await fs.writeFile(configPath, alertmanagerConfig({ ...options, credentialsFile }));
  const address = `127.0.0.1:${options.port}`;
  const url = `http://${address}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.path=${path.join(options.dataDir, "data")}`,
      `--web.listen-address=${address}`,
      "--cluster.listen-address=",
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
      const reason = /address already in use/.test(output)
        ? `port ${options.port} is taken`
        : `code ${child.exitCode}: ${output.trim().split("\n").pop() ?? ""}`;
      throw new Error(`alertmanager exited (${reason})`);
    }
    // A timeout per probe: something else holding the port may accept and never answer.
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("alertmanager did not become ready within 30 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    address,
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
