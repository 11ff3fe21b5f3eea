/**
 * `npm test`: the whole suite, on a clean clone. Installs the Debian packages it drives, then
 * runs the type check, the unit tests, the integration tests on an embedded PostgreSQL, and the
 * end-to-end tests in Chromium against the real app started as `npm start` starts it.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";

interface Step {
  name: string;
  command: string;
  args: string[];
  before?: () => Promise<void>;
}

const steps: Step[] = [
  { name: "system packages", command: "bash", args: ["scripts/ensure-system-packages.sh"] },
  { name: "type check", command: "tsc", args: ["--noEmit"] },
  { name: "unit and integration tests", command: "vitest", args: ["run"] },
  {
    name: "end-to-end tests",
    command: "playwright",
    args: ["test"],
    // A fresh embedded database for every run.
    before: () => fs.rm(".data/e2e", { recursive: true, force: true }),
  },
];

function run(step: Step): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    child.once("error", (error) => {
      process.stderr.write(`[test] ${step.name}: ${error.message}\n`);
      resolve(1);
    });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const only = process.argv.slice(2);
const started = Date.now();
const results: { name: string; ok: boolean; seconds: number }[] = [];
for (const step of steps) {
  if (only.length && !only.some((o) => step.name.includes(o))) continue;
  process.stdout.write(`\n[test] ── ${step.name} ──\n`);
  const t = Date.now();
  await step.before?.();
  const code = await run(step);
  results.push({ name: step.name, ok: code === 0, seconds: (Date.now() - t) / 1000 });
  if (code !== 0) break;
}

process.stdout.write("\n[test] summary\n");
for (const r of results) process.stdout.write(`[test]   ${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds.toFixed(1)} s)\n`);
process.stdout.write(`[test] total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.exit(results.every((r) => r.ok) && results.length > 0 ? 0 : 1);
