/**
 * `npm run bench:switch`: how soon on-call SEES a blue-green rollback's traffic switch. The app is
 * started exactly as the end-to-end suite starts it (playwright.config.ts' webServer: `npm start`
 * on its own data folder, embedded PostgreSQL, sandbox cluster, Prometheus when installed), and
 * for BENCH_ROUNDS rounds (default 5) a release manager deploys a fresh blue-green release of
 * Checkout in Staging in Chromium, then the on-call engineer clicks Roll back → Roll back now on
 * the service page, and three instants are taken:
 *
 *   t0  the click on "Roll back now"            (in the browser, a capture-phase click listener)
 *   t1  the Service selector switched           (a Kubernetes watch on the sandbox's Service)
 *   t2  the page confirms the traffic switch    (in the browser, a MutationObserver: "Traffic
 *       switched …" shown; and when the run reads "succeeded", reported beside it)
 *
 * All three are wall-clock Date.now() on this machine, taken by events rather than by polling, so
 * the figures carry no sampling lag. Each mode runs its own rounds: "polling" removes EventSource
 * from the page before it loads (the page then polls, as before the stream existed), "stream" is
 * the page as shipped. BENCH_MODES=stream (or polling) runs one. A round slower than the goal
 * (every round with BENCH_VERBOSE=1) also prints what reached the page and when: the rollback
 * action's answer, stream messages, polls, and stalls of the page's main thread (on a busy
 * machine those, not the network, are what a slow round is made of). Ends with one line:
 *   switch-visibility p50_ms=… p95_ms=… (selector switched → page updated), goal ≤ 500 ms: met|NOT met
 */
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { KubeConfig, Watch, type V1Service } from "@kubernetes/client-node";
import { chromium, type Browser, type Page } from "@playwright/test";
import playwrightConfig from "../playwright.config";
import { DEMO_PASSWORD, uniqueTag } from "../e2e/helpers";
import { freePort } from "@/lib/db/embedded-postgres";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MODES = (process.env.BENCH_MODES ?? "polling,stream").split(",").map((m) => m.trim()) as Mode[];
const DATA_DIR = process.env.BENCH_DATA_DIR ?? ".data/bench-switch";
const GOAL_MS = 500;
// A page that has not shown the switch by then counts as a miss.
const PAGE_TIMEOUT_MS = 30_000;
// The e2e suite's service and environment: blue-green, and no sign-offs needed to deploy.
const SERVICE = {
  name: "checkout",
  label: "Checkout",
  namespace: "shop-staging",
  environment: "staging",
  environmentLabel: "Staging",
};

type Mode = "polling" | "stream";
interface Round {
  clickToSwitch: number;
  switchToShown: number;
  switchToSucceeded: number;
  /** What the page received, relative to the selector switch. */
  detail: string;
}

function say(message: string) {
  process.stdout.write(`[bench:switch] ${message}\n`);
}

/** A duration, or a miss (the page did not show it within PAGE_TIMEOUT_MS). */
function ms(value: number): string {
  return Number.isFinite(value) ? `${value} ms` : `not within ${PAGE_TIMEOUT_MS / 1000} s`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The app, as Playwright's webServer starts it for the e2e suite, on free ports and its own data folder. */
async function startApp(): Promise<{ baseURL: string; stop: () => Promise<void> }> {
  const webServer = Array.isArray(playwrightConfig.webServer)
    ? playwrightConfig.webServer[0]
    : playwrightConfig.webServer;
  if (!webServer?.command) throw new Error("playwright.config.ts has no webServer to start the app with");
  const port = await freePort();
  const env = {
    ...process.env,
    ...webServer.env,
    PORT: String(port),
    GREENLIGHT_DATA_DIR: DATA_DIR,
    EMBEDDED_PG_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
  };
  const [command, ...args] = webServer.command.split(" ");
  say(
    `starting the app (${webServer.command}) on port ${port}, data in ${DATA_DIR}; a first start builds it (minutes on 2 cores)`,
  );
  // Its own process group: npm start's children (web server, worker, PostgreSQL, Prometheus) can
  // then be stopped with it even when one of them does not stop by itself.
  const child: ChildProcess = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  // npm start's own lines and errors; not the worker's per-job chatter or next build's table.
  const forward = (prefix: string, keep: (line: string) => boolean) => (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.trim() && keep(line)) process.stdout.write(`${prefix} ${line}\n`);
  };
  child.stdout!.on(
    "data",
    forward("[app]", (line) => line.startsWith("[greenlight]") || /"level":(50|60)|ERROR/.test(line)),
  );
  child.stderr!.on(
    "data",
    forward("[app:err]", () => true),
  );
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM"); // npm start stops its children and its database in order
      const timeout = new Promise((r) => setTimeout(r, 20_000).unref());
      await Promise.race([exited, timeout]);
    }
    group("SIGKILL"); // whatever of ours is left (a worker still finishing a job, say)
  };
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (webServer.timeout ?? 300_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited with code ${child.exitCode} before it was ready`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error("the app did not become ready in time");
    }
    const ready = await fetch(`${baseURL}/api/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { baseURL, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The e2e helper's sign-in, with a patient last step: outside the test runner its expect waits
 * only 5 s, and the first Overview after a start can take longer (Prometheus warming up).
 */
async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Account").selectOption(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor({ timeout: 60_000 });
}

function sandboxKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path.join(DATA_DIR, "sandbox", "kubeconfig"));
  return kc;
}

/**
 * `switched` resolves with Date.now() at the first watch event in which the Service selects
 * `color`. Returns once the watch is connected, so the click happens only after it listens.
 */
async function watchSelector(kc: KubeConfig, color: string): Promise<{ switched: Promise<number>; stop: () => void }> {
  let resolve: (at: number) => void = () => {};
  let reject: (error: Error) => void = () => {};
  const switched = new Promise<number>((res, rej) => ((resolve = res), (reject = rej)));
  const controller = await new Watch(kc).watch(
    `/api/v1/namespaces/${SERVICE.namespace}/services`,
    { fieldSelector: `metadata.name=${SERVICE.name}` },
    (_type: string, service: V1Service) => {
      if (service.metadata?.name === SERVICE.name && service.spec?.selector?.color === color) resolve(Date.now());
    },
    (error: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return { switched, stop: () => controller.abort() };
}

/** The release manager deploys a new blue-green release of Checkout to Staging and waits for it. */
async function deployFreshRelease(manager: Page): Promise<string> {
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: SERVICE.label });
  await manager.getByLabel("Environment").selectOption({ label: SERVICE.environmentLabel });
  const image = `registry.greenlight.local/shop/checkout:1.6.0-${uniqueTag()}`;
  await manager.getByLabel("Image").fill(image);
  await manager.getByRole("radio", { name: "Blue-green" }).check();
  await manager.getByLabel("Change summary").fill("Benchmark release: something to roll back.");
  await manager.getByRole("button", { name: "Create release" }).click();
  await manager.getByTestId("release-image").filter({ hasText: image }).waitFor();
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  await manager
    .locator('[data-testid="run-status"]', { hasText: /^(succeeded|failed|aborted)$/ })
    .waitFor({ timeout: 90_000 });
  const status = await manager.getByTestId("run-status").textContent();
  if (status !== "succeeded")
    throw new Error(
      `the deploy of ${image} ${status}: ${await manager
        .getByTestId("run-outcome")
        .textContent()
        .catch(() => "")}`,
    );
  return image;
}

interface Marks {
  click?: number;
  /** The run's progress appeared in the card (the action answered, RunProgress has data). */
  progress?: number;
  shown?: number;
  succeeded?: number;
}

/**
 * What reached the page, for explaining a slow round: the server action (the rollback request),
 * each stream message (and whether it had the switch) and each poll of GET /api/runs/<id>. Plain
 * JavaScript, run before the page's own.
 */
const RECORD_NETWORK = `
  window.benchNet = [];
  // A page whose main thread did not run for a while (CPU starved, say) shows everything late.
  (function () {
    let last = Date.now();
    setInterval(function () {
      const now = Date.now();
      if (now - last > 250) window.benchNet.push({ at: now, what: "page main thread stalled " + (now - last) + " ms, until" });
      last = now;
    }, 50);
  })();
  if (window.EventSource) {
    const Original = window.EventSource;
    window.EventSource = function (url, init) {
      const source = new Original(url, init);
      window.benchNet.push({ at: Date.now(), what: "stream open" });
      source.addEventListener("message", (e) => {
        let switched = false;
        try { switched = JSON.parse(e.data).trafficSwitchedAt !== null; } catch {}
        window.benchNet.push({ at: Date.now(), what: switched ? "stream: switched" : "stream: not yet" });
      });
      source.addEventListener("error", () => window.benchNet.push({ at: Date.now(), what: "stream error" }));
      return source;
    };
    window.EventSource.prototype = Original.prototype;
  }
  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const headers = init && init.headers ? JSON.stringify(init.headers) : "";
    const what = /next-action/i.test(headers) ? "action" : url.includes("/api/runs/") && !url.endsWith("/stream") ? "poll" : null;
    if (!what) return originalFetch.call(this, input, init);
    window.benchNet.push({ at: Date.now(), what: what + " sent" });
    const answer = originalFetch.call(this, input, init);
    answer.then(() => window.benchNet.push({ at: Date.now(), what: what + " answered" }), () => {});
    return answer;
  };
`;

/**
 * In the page: when "Roll back now" is clicked, and when the card first shows the switch and the
 * success. (No named functions inside: tsx would wrap them in a helper the page does not have.)
 */
async function armMarks(page: Page): Promise<void> {
  await page.evaluate((environment) => {
    const marks: Marks = {};
    (window as unknown as { benchMarks: Marks }).benchMarks = marks;
    document.addEventListener(
      "click",
      (event) => {
        const button = event.target instanceof Element ? event.target.closest("button") : null;
        if (marks.click === undefined && button?.textContent?.includes("Roll back now")) marks.click = Date.now();
      },
      true,
    );
    new MutationObserver(() => {
      const card = document.querySelector(`[data-testid="environment-${environment}"]`);
      if (!card || marks.click === undefined) return;
      if (marks.progress === undefined && card.querySelector('[data-testid="run-progress"]'))
        marks.progress = Date.now();
      if (marks.shown === undefined && card.querySelector('[data-testid="traffic-switched"]')) marks.shown = Date.now();
      if (
        marks.succeeded === undefined &&
        card.querySelector('[data-testid="run-status"]')?.textContent?.trim() === "succeeded"
      )
        marks.succeeded = Date.now();
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, SERVICE.environment);
}

async function rollbackRound(onCall: Page, kc: KubeConfig, backTo: string): Promise<Round> {
  await onCall.goto(`/services/${SERVICE.name}`);
  const card = onCall.getByTestId(`environment-${SERVICE.environment}`);
  // "ready: switch the Service to blue …" (the wording is the engine's; the colour is what matters).
  await card
    .getByTestId("rollback-readiness")
    .filter({ hasText: new RegExp(`^ready: .*\\b${backTo}\\b`) })
    .waitFor({ timeout: 30_000 });
  await card.getByRole("button", { name: `Roll back ${SERVICE.label} in ${SERVICE.environmentLabel}` }).click();
  const dialog = onCall.getByRole("dialog");
  await dialog.getByLabel("Why?").fill("benchmark: how soon the page shows the switch");
  await armMarks(onCall);
  const watch = await watchSelector(kc, backTo);
  try {
    await dialog.getByRole("button", { name: "Roll back now" }).click();
    const switchedAt = await Promise.race([
      watch.switched,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`the Service did not switch back to ${backTo} within 30 s`)), 30_000),
      ),
    ]);
    // A page that never shows it is a miss, not the end of the benchmark.
    await onCall
      .waitForFunction(
        () => {
          const marks = (window as unknown as { benchMarks: Marks }).benchMarks;
          return marks.shown !== undefined && marks.succeeded !== undefined;
        },
        undefined,
        { timeout: PAGE_TIMEOUT_MS, polling: 100 },
      )
      .catch(() => {});
    const { marks, net } = await onCall.evaluate(() => {
      const w = window as unknown as { benchMarks: Marks; benchNet: { at: number; what: string }[] };
      return { marks: w.benchMarks, net: w.benchNet };
    });
    const since = (at: number) => `${at - switchedAt >= 0 ? "+" : ""}${at - switchedAt}`;
    const detail = [
      ...(marks.progress !== undefined
        ? [`run progress appeared ${since(marks.progress)}`]
        : ["run progress never appeared"]),
      ...net.filter((n) => n.at >= marks.click!).map((n) => `${n.what} ${since(n.at)}`),
    ].join(", ");
    const after = (at: number | undefined) => (at === undefined ? Number.POSITIVE_INFINITY : at - switchedAt);
    return {
      clickToSwitch: switchedAt - marks.click!,
      switchToShown: after(marks.shown),
      switchToSucceeded: after(marks.succeeded),
      detail,
    };
  } finally {
    watch.stop();
  }
}

async function liveColor(kc: KubeConfig): Promise<string> {
  const { CoreV1Api } = await import("@kubernetes/client-node");
  const service = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedService({ namespace: SERVICE.namespace, name: SERVICE.name });
  const color = service.spec?.selector?.color;
  if (color !== "blue" && color !== "green") throw new Error(`Service ${SERVICE.name} selects no colour`);
  return color;
}

async function runMode(browser: Browser, baseURL: string, kc: KubeConfig, mode: Mode): Promise<Round[]> {
  const manager = await (await browser.newContext({ baseURL })).newPage();
  await signIn(manager, "release.manager@greenlight.local");
  const onCallContext = await browser.newContext({ baseURL });
  // Before the stream: a browser without EventSource is exactly the page's polling fallback.
  if (mode === "polling") await onCallContext.addInitScript(() => Reflect.deleteProperty(window, "EventSource"));
  await onCallContext.addInitScript({ content: RECORD_NETWORK });
  const onCall = await onCallContext.newPage();
  onCall.on("pageerror", (error) => say(`page error: ${error.message}`));
  await signIn(onCall, "oncall@greenlight.local");

  const rounds: Round[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    const before = await liveColor(kc);
    await deployFreshRelease(manager);
    // The release manager's page is scaffolding: parked, so it does not compete with the page measured.
    await manager.goto("about:blank");
    const round = await rollbackRound(onCall, kc, before);
    rounds.push(round);
    say(
      `${mode} round ${i}/${ROUNDS}: click → selector switched ${round.clickToSwitch} ms; selector switched → page shows "Traffic switched" ${ms(round.switchToShown)}, "succeeded" ${ms(round.switchToSucceeded)}`,
    );
    // A slow round says what reached the page, and when (BENCH_VERBOSE=1: every round).
    if (process.env.BENCH_VERBOSE || round.switchToShown > GOAL_MS) say(`  (ms from the switch: ${round.detail})`);
  }
  await manager.context().close();
  await onCallContext.close();
  return rounds;
}

function summary(mode: Mode, rounds: Round[]): string {
  type Figure = Exclude<keyof Round, "detail">;
  const pick = (key: Figure) => rounds.map((r) => r[key]);
  const fmt = (key: Figure) => `p50 ${ms(percentile(pick(key), 50))}, p95 ${ms(percentile(pick(key), 95))}`;
  return [
    `${mode}: click → selector switched: ${fmt("clickToSwitch")}`,
    `${mode}: selector switched → page shows the switch: ${fmt("switchToShown")}`,
    `${mode}: selector switched → page says succeeded: ${fmt("switchToSucceeded")}`,
  ].join("\n");
}

function finalLine(mode: Mode, rounds: Round[]): string {
  const shown = rounds.map((r) => r.switchToShown);
  const p95 = percentile(shown, 95);
  const missed = shown.filter((v) => !Number.isFinite(v)).length;
  const figure = (value: number) => (Number.isFinite(value) ? String(value) : `>${PAGE_TIMEOUT_MS}`);
  return `switch-visibility${mode === "polling" ? "[polling]" : ""} p50_ms=${figure(percentile(shown, 50))} p95_ms=${figure(p95)}${missed ? ` missed=${missed}` : ""} (selector switched → page updated), goal ≤ ${GOAL_MS} ms: ${p95 <= GOAL_MS ? "met" : "NOT met"}`;
}

// Every figure here is wall-clock time on a shared machine: say how busy it was.
const load = () => `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`;
const app = await startApp();
say(`the app is ready; ${load()}`);
let browser: Browser | undefined;
const results = new Map<Mode, Round[]>();
try {
  browser = await chromium.launch(playwrightConfig.use?.launchOptions ?? {});
  const kc = sandboxKubeConfig();
  for (const mode of MODES) {
    if (mode !== "polling" && mode !== "stream") throw new Error(`BENCH_MODES: unknown mode ${mode} (polling, stream)`);
    results.set(mode, await runMode(browser, app.baseURL, kc, mode));
  }
} finally {
  await browser?.close();
  await app.stop();
}
process.stdout.write(`\n[bench:switch] done; ${load()}\n`);
for (const [mode, rounds] of results) process.stdout.write(`${summary(mode, rounds)}\n`);
for (const [mode, rounds] of results) process.stdout.write(`${finalLine(mode, rounds)}\n`);
// The app's output pipes may be held open by what it started; nothing is left to wait for.
process.exit(0);
