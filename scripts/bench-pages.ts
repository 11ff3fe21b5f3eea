/**
 * `npm run bench:pages`: server response times of the record's pages on the scale data set
 * (`npm run seed:scale` first). Starts the app as `npm start` does (a production build, in
 * NEXT_DIST_DIR=.next-bench, on its own port; no cluster and no Prometheus, which these pages do
 * without), signs in as a demo account, and requests each page BENCH_ROUNDS times (default 30)
 * one after another after 5 warm-up requests, timing each to its full body. Then it streams the
 * CSV export of the whole log while sampling the server's memory. Ends with:
 *   csv rows=… seconds=… peak_rss_mb=…
 *   pages overview_p95_ms=… log_p95_ms=… run_p95_ms=… incident_p95_ms=… history_p95_ms=…
 * A page that does not exist yet (404) is reported as "missing".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { DEMO_PASSWORD } from "@/lib/seed/seed";
import { SCALE_DATA_DIR, SCALE_PG_PORT } from "./lib/scale-seed";

process.env.NEXT_DIST_DIR ??= ".next-bench";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WARMUP = 5;
const DEEP_PAGES = Number(process.env.BENCH_DEEP_PAGES ?? 50);
const EXPLAIN = process.env.BENCH_EXPLAIN === "1";
const ACCOUNT = process.env.BENCH_ACCOUNT ?? "release.manager@greenlight.local";
const root = process.cwd();

const say = (line: string) => process.stdout.write(`[bench:pages] ${line}\n`);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** Resident memory (kB) of a process and all its descendants: `next start` serves from a child. */
function treeRssKb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    // The command name may hold spaces; the parent id is the second field after its closing paren.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  let total = 0;
  const queue = [pid];
  while (queue.length) {
    const current = queue.pop()!;
    try {
      const status = fs.readFileSync(`/proc/${current}/status`, "utf8");
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      continue;
    }
    queue.push(...(children.get(current) ?? []));
  }
  return total;
}

async function main() {
  let database: EmbeddedDatabase | undefined;
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? exited(c) : 0)));
    await database?.stop();
  };
  try {
    let url = process.env.DATABASE_URL;
    if (!url) {
      // BENCH_EXPLAIN=1: every statement of the app slower than 5 ms is logged with its plan
      // (auto_explain, ANALYZE and BUFFERS) to .data/scale/explain.log: where the indexes come from.
      const explainLog = EXPLAIN ? fs.createWriteStream(path.join(SCALE_DATA_DIR, "explain.log")) : null;
      database = await startEmbeddedPostgres({
        dataDir: path.join(SCALE_DATA_DIR, "postgres"),
        port: SCALE_PG_PORT,
        database: "greenlight",
        onLog: explainLog ? (line) => explainLog.write(`${line}\n`) : undefined,
      });
      url = database.url;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const settings = EXPLAIN
        ? [
            `alter system set session_preload_libraries = 'auto_explain'`,
            `alter system set auto_explain.log_min_duration = '5ms'`,
            `alter system set auto_explain.log_analyze = on`,
            `alter system set auto_explain.log_buffers = on`,
            `alter system set auto_explain.log_nested_statements = on`,
          ]
        : [`alter system reset all`];
      for (const setting of settings) await admin.query(setting);
      await admin.query(`select pg_reload_conf()`);
      await admin.end();
    }
    const migrations = await migrate(url);
    if (migrations.applied.length) say(`applied migrations: ${migrations.applied.join(", ")}`);

    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    const marker = await sql.query(`select value from system_settings where key = 'scale-seed'`);
    if (!marker.rowCount) throw new Error("no scale data in this database: run `npm run seed:scale` first");
    say(`data: ${JSON.stringify(marker.rows[0].value.counts)}`);
    // Subjects: the newest run with its 10 events, a resolved incident with its 10 entries, a
    // service with rollbacks.
    const run = await sql.query<{ id: string }>(
      `select r.id from deployment_runs r where r.id like 'csr%' and (select count(*) from run_events e where e.run_id = r.id) = 10
        order by r.created_at desc limit 1`,
    );
    const incident = await sql.query<{ id: string; number: number }>(
      `select i.id, i.number from incidents i where i.id like 'csi%'
          and (select count(*) from incident_events e where e.incident_id = i.id) = 10
        order by i.opened_at desc limit 1`,
    );
    const service = await sql.query<{ name: string }>(
      `select s.name from deployment_runs r join services s on s.id = r.service_id
        where r.kind = 'ROLLBACK' and s.name like 'svc-%' order by r.created_at desc limit 1`,
    );
    await sql.end();

    // The build, as npm start makes it (reused while the sources are unchanged).
    const { buildUnlessCurrent } = await import("@/lib/runtime/build-stamp");
    const require = createRequire(import.meta.url);
    const nextBin = require.resolve("next/dist/bin/next");
    const port = Number(process.env.BENCH_PORT ?? (await freePort()));
    const appUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      NEXTAUTH_URL: appUrl,
      APP_URL: appUrl,
      GREENLIGHT_DEMO_LOGIN: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      NODE_ENV: "production",
    };
    delete env.PROMETHEUS_URL;
    await buildUnlessCurrent(root, () => {
      say(`building the app into ${process.env.NEXT_DIST_DIR}…`);
      const build = spawn(process.execPath, [nextBin, "build"], {
        cwd: root,
        env,
        stdio: ["ignore", "ignore", "inherit"],
      });
      children.push(build);
      return build;
    });
    const web = spawn(process.execPath, [nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: root,
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(web);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (web.exitCode !== null) throw new Error(`the web server exited with code ${web.exitCode}`);
      const ready = await fetch(`${appUrl}/api/ready`).catch(() => null);
      if (ready?.ok) break;
      if (Date.now() > deadline) throw new Error("the app did not become ready within 60 s");
      await new Promise((r) => setTimeout(r, 250));
    }

    // Sign in through next-auth's credentials flow, as the sign-in form does.
    const jar = new Map<string, string>();
    const keep = (response: Response) => {
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const csrf = await fetch(`${appUrl}/api/auth/csrf`);
    keep(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signIn = await fetch(`${appUrl}/api/auth/callback/demo`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
      body: new URLSearchParams({
        csrfToken,
        email: ACCOUNT,
        password: DEMO_PASSWORD,
        callbackUrl: appUrl,
        json: "true",
      }),
    });
    keep(signIn);
    if (![...jar.keys()].some((k) => k.includes("session-token")))
      throw new Error(`signing in as ${ACCOUNT} failed (${signIn.status})`);
    say(`signed in as ${ACCOUNT}; ${ROUNDS} requests per page after ${WARMUP} warm-up requests`);
    // Other work on the machine inflates every figure; say how busy it was.
    const load = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    say(`load average at the start: ${load()}`);

    const get = async (pathname: string) => {
      const started = performance.now();
      const response = await fetch(`${appUrl}${pathname}`, { headers: { cookie: cookie() }, redirect: "manual" });
      const body = await response.text();
      return { status: response.status, body, ms: performance.now() - started };
    };

    // The deep cursor: follow "Older" links from the first page.
    let deep: string | null = "/deployments";
    for (let i = 0; i < DEEP_PAGES && deep; i++) {
      const page = await get(deep);
      if (page.status !== 200) {
        deep = page.status === 404 ? null : deep;
        break;
      }
      const older = /<a[^>]*href="(\/deployments\?[^"]*before=[^"]*)"[^>]*>(?:(?!<\/a>).)*Older/s.exec(page.body);
      deep = older ? older[1].replaceAll("&amp;", "&") : null;
    }

    const pages: { key: string; name: string; path: string | null }[] = [
      { key: "overview", name: "overview /", path: "/" },
      { key: "log", name: "log first page", path: "/deployments" },
      {
        key: "log",
        name: "log filtered",
        path: service.rows[0] ? `/deployments?service=${service.rows[0].name}&kind=rollback` : null,
      },
      { key: "log", name: `log ${DEEP_PAGES} pages deep`, path: deep },
      { key: "run", name: "run detail", path: run.rows[0] ? `/deployments/${run.rows[0].id}` : null },
      { key: "incident", name: "incident page", path: incident.rows[0] ? `/incidents/${incident.rows[0].id}` : null },
      { key: "history", name: "history (default)", path: "/history" },
      { key: "history", name: "history 90 days", path: "/history?range=90d" },
    ];
    const worst = new Map<string, number | "missing">();
    for (const page of pages) {
      if (!page.path) {
        say(`${page.name.padEnd(22)} no such page to follow`);
        if (!worst.has(page.key)) worst.set(page.key, "missing");
        continue;
      }
      const first = await get(page.path);
      if (first.status === 404) {
        say(`${page.name.padEnd(22)} 404 (not built yet)  ${page.path}`);
        if (!worst.has(page.key)) worst.set(page.key, "missing");
        continue;
      }
      if (first.status !== 200) throw new Error(`${page.path} answered ${first.status}`);
      for (let i = 1; i < WARMUP; i++) await get(page.path);
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const result = await get(page.path);
        if (result.status !== 200) throw new Error(`${page.path} answered ${result.status}`);
        times.push(result.ms);
      }
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      say(
        `${page.name.padEnd(22)} p50 ${p50.toFixed(0).padStart(5)} ms  p95 ${p95.toFixed(0).padStart(5)} ms  ${(first.body.length / 1024).toFixed(0)} kB  ${page.path.slice(0, 90)}`,
      );
      const before = worst.get(page.key);
      worst.set(page.key, typeof before === "number" ? Math.max(before, p95) : p95);
    }

    // The CSV export of the whole log, streamed; memory sampled meanwhile.
    let csvLine = "csv rows=missing seconds=missing peak_rss_mb=missing";
    const baselineKb = treeRssKb(web.pid!);
    let peakKb = baselineKb;
    const sampler = setInterval(() => {
      peakKb = Math.max(peakKb, treeRssKb(web.pid!));
    }, 50);
    const started = performance.now();
    const response = await fetch(`${appUrl}/api/deployments/export`, { headers: { cookie: cookie() } });
    if (response.status === 200 && response.body) {
      let newlines = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const byte of chunk) if (byte === 10) newlines++;
      }
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      peakKb = Math.max(peakKb, treeRssKb(web.pid!));
      say(`csv export: baseline rss ${(baselineKb / 1024).toFixed(0)} MB, peak ${(peakKb / 1024).toFixed(0)} MB`);
      csvLine = `csv rows=${newlines - 1} seconds=${seconds.toFixed(1)} peak_rss_mb=${(peakKb / 1024).toFixed(0)}`;
    } else {
      clearInterval(sampler);
      say(`csv export answered ${response.status}`);
    }

    const value = (key: string) => {
      const v = worst.get(key);
      return typeof v === "number" ? v.toFixed(0) : "missing";
    };
    say(`load average at the end: ${load()}`);
    process.stdout.write(`${csvLine}\n`);
    process.stdout.write(
      `pages overview_p95_ms=${value("overview")} log_p95_ms=${value("log")} run_p95_ms=${value("run")} incident_p95_ms=${value("incident")} history_p95_ms=${value("history")}\n`,
    );
  } finally {
    await stop();
  }
}

main().catch((error) => {
  process.stderr.write(
    `[bench:pages] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
