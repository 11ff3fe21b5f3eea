/**
 * `npm test`: the whole suite, on a clean clone. Installs the Debian packages it drives, starts
 * a real Kubernetes API server from ../shared/k8s-test-cluster (built once per machine, then
 * cached), then runs the type check, ESLint, the Prettier check, the unit tests, the integration tests (embedded PostgreSQL;
 * the deploy engine on the sandbox and on the real API server), and the end-to-end tests in
 * Chromium against the real app started as `npm start` starts it.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

interface Step {
  name: string;
  command: string;
  args: string[];
  before?: () => void | Promise<void>;
  /** Captures stdout instead of showing it (for the cluster's `export KUBECONFIG=…` line). */
  capture?: boolean;
  /** A second opinion on success besides the exit code. */
  passed?: () => boolean;
}

/** A vitest run; its JSON report decides too (a dependency's exit hook once turned failed runs into exit code 0). */
function vitestStep(name: string, args: string[], report: string): Step {
  return {
    name,
    command: "vitest",
    args: ["run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    before: () => fs.rmSync(report, { force: true }),
    passed: () => {
      try {
        const result = JSON.parse(fs.readFileSync(report, "utf8")) as {
          success: boolean;
          numFailedTests: number;
          numTotalTests: number;
        };
        return result.success && result.numFailedTests === 0 && result.numTotalTests > 0;
      } catch {
        return false;
      }
    },
  };
}

const clusterDir = path.resolve("..", "shared", "k8s-test-cluster");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  // The system packages step installs prometheus-alertmanager (or fails): its tests must run, not skip.
  REQUIRE_REAL_ALERTMANAGER: process.env.REQUIRE_REAL_ALERTMANAGER ?? "1",
};
let startedCluster = false;

/** Lanes run side by side, the steps of each lane one after another; the run goes on when all have passed. */
interface SideBySide {
  lanes: Step[][];
}

const steps: (Step | SideBySide)[] = [
  { name: "system packages", command: "bash", args: ["scripts/ensure-system-packages.sh"] },
  // ESLint takes one core for about 100 s; the rest fits on the other meanwhile, the app's build
  // for the end-to-end step included (it would otherwise be made at that step's start). The type
  // check goes before the build, which writes the route types tsc would otherwise read half-made.
  {
    lanes: [
      [{ name: "lint", command: "eslint", args: ["--max-warnings=0", "."] }],
      [
        { name: "type check", command: "tsc", args: ["--noEmit"] },
        { name: "format check", command: "prettier", args: ["--check", "--log-level=warn", "."] },
        { name: "build", command: "tsx", args: ["scripts/build.ts"] },
      ],
    ],
  },
  ...(fs.existsSync(clusterDir)
    ? [
        { name: "real API server: setup", command: "bash", args: [path.join(clusterDir, "setup")] },
        { name: "real API server: start", command: "bash", args: [path.join(clusterDir, "start")], capture: true },
      ]
    : []),
  vitestStep(
    "unit and integration tests",
    // Two files at a time: most of them wait on clusters and runs, not on the CPU.
    ["--project", "unit", "--project", "sandbox-cluster", "--project", "integration", "--maxWorkers=2"],
    ".data/test-results/vitest.json",
  ),
  // On its own afterwards: it holds runs to time bounds that another file's load would break.
  vitestStep("fault injection", ["--project", "faults"], ".data/test-results/vitest-faults.json"),
  {
    name: "end-to-end tests",
    command: "playwright",
    args: ["test"],
    // A fresh embedded database and sandbox for every run.
    before: () => fs.rmSync(".data/e2e", { recursive: true, force: true }),
  },
];

function run(step: Step): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { stdio: step.capture ? ["ignore", "pipe", "pipe"] : "inherit", env });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    child.once("error", (error) => {
      process.stderr.write(`[test] ${step.name}: ${error.message}\n`);
      resolve({ code: 1, stdout, stderr });
    });
    child.once("exit", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}

const only = process.argv.slice(2);
const started = Date.now();
const results: { name: string; ok: boolean; seconds: number }[] = [];
const wanted = (step: Step) =>
  !only.length || only.some((o) => step.name.includes(o)) || step.name.startsWith("real API server");

async function runStep(step: Step): Promise<boolean> {
  const t = Date.now();
  await step.before?.();
  const { code, stdout, stderr } = await run(step);
  if (step.capture && code === 0) {
    const kubeconfig = /export KUBECONFIG=(\S+)/.exec(stdout)?.[1];
    if (kubeconfig) {
      env.K8S_TEST_KUBECONFIG = kubeconfig;
      env.REQUIRE_REAL_CLUSTER = "1";
      startedCluster = !/already running/i.test(stderr);
    }
  }
  const ok = code === 0 && (step.passed?.() ?? true);
  results.push({ name: step.name, ok, seconds: (Date.now() - t) / 1000 });
  return ok;
}

async function runLane(lane: Step[]): Promise<boolean> {
  for (const step of lane) if (!(await runStep(step))) return false;
  return true;
}

for (const entry of steps) {
  const lanes = ("lanes" in entry ? entry.lanes : [[entry]])
    .map((lane) => lane.filter(wanted))
    .filter((lane) => lane.length > 0);
  if (lanes.length === 0) continue;
  process.stdout.write(
    `\n[test] ── ${lanes.map((lane) => lane.map((step) => step.name).join(", then ")).join(" | ")} ──\n`,
  );
  const passed = await Promise.all(lanes.map(runLane));
  if (!passed.every(Boolean)) break;
}

if (startedCluster)
  await run({ name: "real API server: stop", command: "bash", args: [path.join(clusterDir, "stop")], capture: true });

process.stdout.write("\n[test] summary\n");
for (const r of results)
  process.stdout.write(`[test]   ${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds.toFixed(1)} s)\n`);
process.stdout.write(`[test] total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(results.every((r) => r.ok) && results.length > 0 ? 0 : 1);
