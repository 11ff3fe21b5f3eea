/**
 * `npm start`: everything Greenlight needs on one machine. With no DATABASE_URL it starts an
 * embedded PostgreSQL (data under .data/, kept across restarts), applies the committed
 * migrations, seeds once, builds the app when its sources changed, starts it and prints how to
 * sign in. `--dev` runs `next dev` instead of a production build.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { isPortFree, startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { migrateJobQueue } from "@/lib/jobs/worker";
import {
  findPrometheus,
  startLocalPrometheus,
  type AppScrapeTarget,
  type LocalPrometheus,
} from "@/lib/prometheus/local-server";
import {
  ALERTMANAGER_INSTALL_HINT,
  ALERTMANAGER_WEBHOOK_PATH,
  demoAlertRules,
  DEMO_ALERT_NAME,
  findAlertmanager,
  receiverSnippet,
  startLocalAlertmanager,
  type LocalAlertmanager,
} from "@/lib/runtime/alertmanager-local";
import { startSandboxCluster, type SandboxCluster } from "@greenlight/sandbox-cluster/cluster";
import { decideDemoLogin } from "@/lib/auth/demo-login";
import { appUrlProblemInProduction, EnvError, parseEnv } from "@/lib/env";
import { buildUnlessCurrent } from "@/lib/runtime/build-stamp";
import { seedDemoHistory } from "@/lib/seed/demo-history";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seed } from "@/lib/seed/seed";
import { ROLE_LABELS } from "@/lib/roles";

const root = process.cwd();
const dev = process.argv.includes("--dev");
const started = Date.now();
const children: ChildProcess[] = [];
let database: EmbeddedDatabase | undefined;
let sandbox: SandboxCluster | undefined;
let localPrometheus: LocalPrometheus | undefined;
let localAlertmanager: LocalAlertmanager | undefined;
let stopping = false;

function say(message: string) {
  process.stdout.write(`[greenlight] ${message}\n`);
}

async function readOrCreateSecret(file: string): Promise<string> {
  const existing = await fs.readFile(file, "utf8").catch(() => null);
  if (existing && existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString("base64url");
  await fs.writeFile(file, secret, { mode: 0o600 });
  return secret;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/ready`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app did not become ready within ${timeoutMs / 1000} s (last answer: ${last})`);
}

async function shutdown(code: number): Promise<void> {
  // A second Ctrl+C (or the terminal's SIGINT next to our own) must not cut the cleanup short.
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  await Promise.all(children.map((c) => (c.exitCode === null ? exited(c) : Promise.resolve(0))));
  if (localPrometheus) await localPrometheus.stop().catch(() => {});
  if (localAlertmanager) await localAlertmanager.stop().catch(() => {});
  if (sandbox) await sandbox.stop().catch(() => {});
  if (database) {
    say("stopping the embedded PostgreSQL");
    await database.stop().catch(() => {});
  }
  process.exit(code);
}

async function main() {
  const config = parseEnv(process.env);
  const port = config.PORT;
  const host = process.env.HOST ?? "127.0.0.1";
  const appUrl = config.APP_URL ?? `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`;
  // The web server runs a production build (next start), which requires an https APP_URL unless
  // it is loopback: say so now, not after the build.
  const appUrlProblem = dev ? null : appUrlProblemInProduction(appUrl);
  if (appUrlProblem) {
    const derived = config.APP_URL
      ? ""
      : ` (derived from HOST=${host}; set APP_URL to the https:// URL in front of it)`;
    throw new EnvError(`Greenlight cannot start: the configuration is invalid.\n  APP_URL: ${appUrlProblem}${derived}`);
  }
  const dataDir = path.resolve(root, process.env.GREENLIGHT_DATA_DIR ?? ".data");
  // Before anything starts: another server on our port would answer our readiness check.
  if (!(await isPortFree(port, host === "0.0.0.0" ? "0.0.0.0" : host))) {
    throw new Error(
      `port ${port} on ${host} is taken (another Greenlight still running?). Stop it, or choose another port with PORT.`,
    );
  }
  await fs.mkdir(dataDir, { recursive: true });

  const embedded = !config.DATABASE_URL;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pgPort = config.EMBEDDED_PG_PORT;
    say(
      `starting the embedded PostgreSQL (data in ${path.relative(root, path.join(dataDir, "postgres")) || "."}, port ${pgPort})`,
    );
    database = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "postgres"),
      port: pgPort,
      database: "greenlight",
      onLog: (line) => {
        if (/FATAL|PANIC|ERROR/.test(line)) process.stderr.write(`[postgres] ${line}\n`);
      },
    });
    databaseUrl = database.url;
    // Run as root from a folder the postgres user cannot enter (/root/…), the data lives elsewhere.
    if (database.dataDir !== path.join(dataDir, "postgres"))
      say(
        `the postgres user cannot reach ${path.join(dataDir, "postgres")}, so the embedded PostgreSQL keeps its data in ${database.dataDir}`,
      );
  }
  process.env.DATABASE_URL = databaseUrl;

  const migrations = await migrate(databaseUrl);
  say(
    migrations.applied.length
      ? `applied migrations: ${migrations.applied.join(", ")}`
      : `database schema is up to date (${migrations.alreadyApplied} migrations)`,
  );

  await migrateJobQueue(databaseUrl);

  const demo = embedded || process.env.GREENLIGHT_SEED_DEMO === "true";
  const { getDb } = await import("@/lib/db");
  const seeded = await seed(getDb(), { demo });
  if (seeded.baseline || seeded.demo || seeded.followUps)
    say(
      `seeded ${[seeded.baseline && "environments and checklists", seeded.followUps && "the post-deployment follow-ups", seeded.demo && "demo services and accounts"].filter(Boolean).join(" and ")}`,
    );
  if (demo) {
    // 90 days of invented delivery history for the demo services, once, and never beside real runs.
    const history = await seedDemoHistory(getDb());
    if (history.seeded)
      say(
        `seeded 90 days of demo history: ${history.releases} releases, ${history.runs} runs, ${history.incidents} incidents`,
      );
  }
  await getDb().$disconnect();

  const authSecret = config.AUTH_SECRET ?? (await readOrCreateSecret(path.join(dataDir, "auth-secret")));
  // The Alertmanager webhook's bearer token: ALERTMANAGER_TOKEN, or one generated once and kept
  // beside the auth secret, so an Alertmanager pointed at its file keeps working across restarts.
  const alertmanagerTokenFile = config.ALERTMANAGER_TOKEN ? undefined : path.join(dataDir, "alertmanager-token");
  const alertmanagerToken = config.ALERTMANAGER_TOKEN ?? (await readOrCreateSecret(alertmanagerTokenFile!));
  // The token Prometheus presents to scrape the app's own metrics (web and worker): METRICS_TOKEN,
  // or one generated once; Prometheus reads it from a file either way.
  const metricsTokenFile = path.join(dataDir, "metrics-token");
  const metricsToken = config.METRICS_TOKEN ?? (await readOrCreateSecret(metricsTokenFile));
  if (config.METRICS_TOKEN) await fs.writeFile(metricsTokenFile, config.METRICS_TOKEN, { mode: 0o600 });
  // Demo accounts (well-known password): the one rule (lib/auth/demo-login.ts), decided here for
  // the web server this script starts (next start runs in production, next dev in development),
  // and handed to it explicitly, with HOST, so the server applies the same decision.
  const demoLogin = decideDemoLogin({
    nodeEnv: dev ? "development" : "production",
    host,
    flag: config.GREENLIGHT_DEMO_LOGIN,
    zeroConfig: embedded,
  });
  say(`demo sign-in is ${demoLogin.enabled ? "on" : "off"}: ${demoLogin.reason}`);
  // Zero-config (and SANDBOX=on): the sandbox cluster, a local Kubernetes API server running the
  // demo workloads, stands in for the cluster; the app reaches it through a generated kubeconfig,
  // the same client-node code path as a real cluster. SANDBOX=off uses KUBECONFIG instead.
  let kubeconfig = process.env.KUBECONFIG;
  const useSandbox = embedded ? process.env.SANDBOX !== "off" : process.env.SANDBOX === "on";
  if (useSandbox) {
    sandbox = await startSandboxCluster({
      dataDir: path.join(dataDir, "sandbox"),
      port: config.SANDBOX_PORT,
      seedDemo: true,
    });
    kubeconfig = sandbox.kubeconfigPath;
    say(`sandbox cluster at ${sandbox.url} (kubeconfig: ${path.relative(root, kubeconfig)})`);
  }

  // Prometheus: PROMETHEUS_URL when given; otherwise, beside the sandbox, a local one scraping
  // the demo pods when Debian's prometheus is installed.
  let prometheusUrl = process.env.PROMETHEUS_URL;
  let prometheusNote = prometheusUrl ? `Prometheus: ${prometheusUrl}` : "";
  let alertmanagerNote = "";
  if (!prometheusUrl && sandbox) {
    // Where Alertmanager and Prometheus reach the app (and the worker's metrics) on this machine.
    const listen = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
    // Alertmanager beside it (Debian's prometheus-alertmanager, when installed), routing the demo
    // rule's alerts to the app's webhook, as a real installation would; before Prometheus, so
    // Prometheus finds it from its first evaluation.
    const alerting: { ruleFiles?: string[]; alertmanagers?: string[] } = {};
    if (!findPrometheus()) {
      // Nothing would fire alerts.
    } else if (findAlertmanager()) {
      try {
        localAlertmanager = await startLocalAlertmanager({
          dataDir: path.join(dataDir, "alertmanager"),
          port: config.ALERTMANAGER_PORT,
          webhookUrl: `http://${listen}:${port}${ALERTMANAGER_WEBHOOK_PATH}`,
          token: alertmanagerToken,
        });
        const rules = path.join(dataDir, "alertmanager", "demo-rules.yml");
        await fs.writeFile(rules, demoAlertRules());
        alerting.ruleFiles = [rules];
        alerting.alertmanagers = [localAlertmanager.address];
        alertmanagerNote = `Alertmanager: ${localAlertmanager.url} sends alerts to the app; Prometheus fires ${DEMO_ALERT_NAME} when a demo service answers over 5% of requests with 5xx for 30 s`;
        say(`alertmanager at ${localAlertmanager.url}`);
      } catch (error) {
        alertmanagerNote = `Alertmanager could not start (${error instanceof Error ? error.message : String(error)}; ALERTMANAGER_PORT picks another port), so no demo alerts this time.`;
        say(alertmanagerNote);
      }
    } else {
      alertmanagerNote = `Alertmanager: not installed, so no demo alerts. Install it with: ${ALERTMANAGER_INSTALL_HINT}`;
      say(alertmanagerNote);
    }
    if (findPrometheus()) {
      // Greenlight's own metrics beside the demo pods': the web server's and the worker's.
      const appTargets: AppScrapeTarget[] = [
        { job: "greenlight-web", url: `http://${listen}:${port}/api/metrics`, credentialsFile: metricsTokenFile },
        {
          job: "greenlight-worker",
          url: `http://${listen}:${config.WORKER_METRICS_PORT}/metrics`,
          credentialsFile: metricsTokenFile,
        },
      ];
      // Live SLIs are worth having, not worth refusing to start over.
      try {
        localPrometheus = await startLocalPrometheus({
          dataDir: path.join(dataDir, "prometheus"),
          port: config.PROMETHEUS_PORT,
          targetsUrl: `${sandbox.url}/sandbox/targets`,
          appTargets,
          ...alerting,
        });
        prometheusUrl = localPrometheus.url;
        prometheusNote = `Prometheus: ${prometheusUrl} (scraping the sandbox's demo pods, and Greenlight's own /api/metrics and worker metrics, every 5 s)`;
        say(`prometheus at ${prometheusUrl}`);
      } catch (error) {
        prometheusNote = `Prometheus could not start (${error instanceof Error ? error.message : String(error)}; PROMETHEUS_PORT picks another port), so no live SLIs or canary analysis this time.`;
        say(prometheusNote);
      }
    } else {
      prometheusNote =
        "Prometheus: not installed, so no live SLIs or canary analysis. Install it with: sudo apt-get install -y --no-install-recommends prometheus";
      say(prometheusNote);
    }
  }

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
    ...(prometheusUrl ? { PROMETHEUS_URL: prometheusUrl } : {}),
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: authSecret,
    ALERTMANAGER_TOKEN: alertmanagerToken,
    METRICS_TOKEN: metricsToken,
    NEXTAUTH_SECRET: authSecret,
    NEXTAUTH_URL: appUrl,
    APP_URL: appUrl,
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: host,
    GREENLIGHT_DEMO_LOGIN: demoLogin.enabled ? "true" : "false",
  };

  const require = createRequire(import.meta.url);
  const nextBin = require.resolve("next/dist/bin/next");
  if (!dev) {
    const build = await buildUnlessCurrent(root, () => {
      say("building the app (first start, or the sources changed)…");
      return run(process.execPath, [nextBin, "build"], { ...childEnv, NODE_ENV: "production" });
    });
    if (build.built) say(`built in ${build.seconds.toFixed(1)} s`);
  }

  const tsxBin = path.join(root, "node_modules", ".bin", "tsx");
  // react-server, as for this script: the worker is server code, and the db client and the
  // gateways `import "server-only"`, which only that condition lets load outside Next.
  const worker = run(tsxBin, ["--conditions=react-server", "scripts/worker.ts"], childEnv);
  worker.once("exit", (code) => {
    if (!stopping) {
      say(`the run worker stopped (code ${code}); shutting down`);
      void shutdown(code ?? 1);
    }
  });
  const web = run(
    process.execPath,
    [nextBin, dev ? "dev" : "start", "--port", String(port), "--hostname", host],
    childEnv,
  );
  web.once("exit", (code) => {
    if (!stopping) {
      say(`the web server stopped (code ${code}); shutting down`);
      void shutdown(code ?? 1);
    }
  });
  await waitUntilReady(appUrl, web, dev ? 180_000 : 60_000);

  const lines = [
    "",
    `Greenlight is ready at ${appUrl}  (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    embedded
      ? `Database: embedded PostgreSQL, data in ${path.relative(root, dataDir) || dataDir}/postgres`
      : "Database: DATABASE_URL",
    sandbox
      ? `Cluster: sandbox at ${sandbox.url}; kubectl: KUBECONFIG=${path.relative(root, sandbox.kubeconfigPath)} kubectl get deploy -A`
      : `Cluster: ${kubeconfig ?? "~/.kube/config"}`,
    ...(prometheusNote ? [prometheusNote] : []),
    ...(alertmanagerNote ? [alertmanagerNote] : []),
    `Alerts from an existing Alertmanager: POST ${appUrl}${ALERTMANAGER_WEBHOOK_PATH}; add this receiver and route to it:`,
    receiverSnippet({
      webhookUrl: `${appUrl}${ALERTMANAGER_WEBHOOK_PATH}`,
      credentialsFile: alertmanagerTokenFile,
      indent: "    ",
    }),
  ];
  lines.push(`Demo sign-in: ${demoLogin.enabled ? "on" : "off"} (${demoLogin.reason})`);
  if (demoLogin.enabled && demo) {
    lines.push(`Demo accounts (password "${DEMO_PASSWORD}"):`);
    for (const account of DEMO_ACCOUNTS) {
      lines.push(`  ${account.email.padEnd(36)} ${account.roles.map((r) => ROLE_LABELS[r]).join(", ")}`);
    }
  }
  lines.push("Press Ctrl+C to stop.", "");
  process.stdout.write(lines.join("\n") + "\n");
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

main().catch(async (error) => {
  if (error instanceof EnvError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`[greenlight] cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  await shutdown(1);
});
