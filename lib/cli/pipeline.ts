import { defaultSleep, type GreenlightClient } from "@/lib/cli/client";

/**
 * What a CI pipeline does through /api/v1: create a release, wait for its gate, deploy it and
 * wait for the run. Each step returns an exit code (see EXIT) so a failed deploy fails the job.
 */

export const EXIT = {
  OK: 0,
  /** The run failed, was aborted or rolled back; the gate was rejected; the API refused. */
  FAILED: 1,
  /** --wait ran out of time; nothing is known to have failed. */
  TIMEOUT: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Output {
  /** Machine-readable results (ids, JSON): what `$(greenlight …)` captures. */
  result(line: string): void;
  /** Progress and reasons, for the job log. */
  info(line: string): void;
}

export const consoleOutput: Output = {
  result: (line) => process.stdout.write(`${line}\n`),
  info: (line) => process.stderr.write(`${line}\n`),
};

export interface WaitOptions {
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  /** Time between reads (default 5 s). */
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface Unmet {
  kind: string;
  message: string;
}

export interface Gate {
  green: boolean;
  unmet: Unmet[];
  warnings?: string[];
}

export interface Run {
  id: string;
  status: string;
  kind?: string;
  currentStep?: string | null;
  outcome?: string | null;
  events?: { seq: number; step?: string | null; phase?: string; message: string }[];
}

export const SUCCEEDED_RUN = "SUCCEEDED";
export const FAILED_RUN_STATUSES = ["FAILED", "ABORTED", "ROLLED_BACK"] as const;

/** The id of what an API answer created, however it is wrapped ({ id }, { run: { id } }…). */
export function idOf(value: unknown, ...wrappers: string[]): string {
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.id === "string") return record.id;
    for (const key of wrappers) {
      const inner = record[key];
      if (inner && typeof inner === "object" && typeof (inner as { id?: unknown }).id === "string")
        return (inner as { id: string }).id;
    }
  }
  throw new Error(`The API's answer has no id: ${JSON.stringify(value)?.slice(0, 200)}`);
}

function runOf(value: unknown): Run {
  const record = value as Record<string, unknown> | null;
  const run = (record && typeof record.run === "object" ? record.run : record) as Run | null;
  if (!run || typeof run.id !== "string" || typeof run.status !== "string")
    throw new Error(`The API's answer is not a run: ${JSON.stringify(value)?.slice(0, 200)}`);
  return run;
}

function gateOf(value: unknown): Gate {
  const record = value as Record<string, unknown> | null;
  const gate = (record && typeof record.gate === "object" ? record.gate : record) as Gate | null;
  if (!gate || typeof gate.green !== "boolean" || !Array.isArray(gate.unmet))
    throw new Error(`The API's answer is not a gate: ${JSON.stringify(value)?.slice(0, 200)}`);
  return gate;
}

/** The body of POST /api/v1/releases: a service and an environment by name or by id. */
export interface CreateReleaseArgs {
  service?: string;
  serviceId?: string;
  environment?: string;
  environmentId?: string;
  imageRef: string;
  /** Left out: the target's default strategy. */
  strategy?: string;
  /** Left out: a sentence naming the commit (then commitSha is needed). */
  changeSummary?: string;
  commitSha?: string;
  links?: { label: string; url: string }[];
}

export async function createRelease(client: GreenlightClient, input: CreateReleaseArgs, out: Output) {
  const body = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const created = await client.request("POST", "/releases", body);
  const id = idOf(created, "release");
  out.info(`Release ${id} created for ${input.imageRef}.`);
  out.result(id);
  return id;
}

export function describeGate(gate: Gate): string {
  if (gate.green) return "The gate is green.";
  return `The gate is not green:\n${gate.unmet.map((u) => `  - ${u.message}`).join("\n")}`;
}

/**
 * Reads the gate once, or with `wait` until it is green. A rejection stops the wait at once: a
 * release somebody turned down does not become deployable by waiting.
 */
export async function gate(
  client: GreenlightClient,
  releaseId: string,
  out: Output,
  options: WaitOptions & { wait?: boolean } = {},
): Promise<ExitCode> {
  const { sleep = defaultSleep, now = Date.now, intervalMs = 5_000, timeoutMs = 30 * 60_000 } = options;
  const deadline = now() + timeoutMs;
  let last = "";
  for (;;) {
    const current = gateOf(await client.request("GET", `/releases/${encodeURIComponent(releaseId)}/gate`));
    const description = describeGate(current);
    if (description !== last) out.info(description);
    last = description;
    if (current.green) {
      out.result("green");
      return EXIT.OK;
    }
    if (!options.wait) {
      out.result("not-green");
      return EXIT.FAILED;
    }
    if (current.unmet.some((u) => u.kind === "rejection")) {
      out.info("A sign-off rejected this release; not waiting.");
      out.result("rejected");
      return EXIT.FAILED;
    }
    if (now() + intervalMs > deadline) {
      out.info(`Still not green after ${Math.round(timeoutMs / 1000)} s; giving up.`);
      out.result("timeout");
      return EXIT.TIMEOUT;
    }
    await sleep(intervalMs);
  }
}

/** Follows a run until it finishes, printing each new event once. */
export async function waitForRun(
  client: GreenlightClient,
  runId: string,
  out: Output,
  options: WaitOptions = {},
): Promise<ExitCode> {
  const { sleep = defaultSleep, now = Date.now, intervalMs = 3_000, timeoutMs = 30 * 60_000 } = options;
  const deadline = now() + timeoutMs;
  let seen = 0;
  let lastStatus = "";
  for (;;) {
    const run = runOf(await client.request("GET", `/runs/${encodeURIComponent(runId)}`));
    for (const event of run.events ?? []) {
      if (event.seq <= seen) continue;
      seen = event.seq;
      out.info(`  ${event.step ? `[${event.step}] ` : ""}${event.message}`);
    }
    if (run.status !== lastStatus) out.info(`Run ${run.id}: ${run.status}`);
    lastStatus = run.status;
    if (run.status === SUCCEEDED_RUN) {
      out.result(run.status);
      return EXIT.OK;
    }
    if ((FAILED_RUN_STATUSES as readonly string[]).includes(run.status)) {
      if (run.outcome) out.info(`Outcome: ${run.outcome}`);
      out.result(run.status);
      return EXIT.FAILED;
    }
    if (now() + intervalMs > deadline) {
      out.info(`Run ${run.id} is still ${run.status} after ${Math.round(timeoutMs / 1000)} s; giving up waiting.`);
      out.result(run.status);
      return EXIT.TIMEOUT;
    }
    await sleep(intervalMs);
  }
}

export async function deploy(
  client: GreenlightClient,
  releaseId: string,
  out: Output,
  options: WaitOptions & { wait?: boolean } = {},
): Promise<ExitCode> {
  const started = await client.request("POST", `/releases/${encodeURIComponent(releaseId)}/deploy`);
  const runId = idOf(started, "run");
  out.info(`Deploy of release ${releaseId} started: run ${runId}.`);
  if (!options.wait) {
    out.result(runId);
    return EXIT.OK;
  }
  return waitForRun(client, runId, out, options);
}

export async function rollback(
  client: GreenlightClient,
  input: { service: string; environment?: string; environmentId?: string; reason: string },
  out: Output,
  options: WaitOptions & { wait?: boolean } = {},
): Promise<ExitCode> {
  const { service, ...body } = input;
  const started = await client.request(
    "POST",
    `/services/${encodeURIComponent(service)}/rollback`,
    Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
  );
  const runId = idOf(started, "run");
  out.info(`Rollback started: run ${runId}.`);
  if (!options.wait) {
    out.result(runId);
    return EXIT.OK;
  }
  return waitForRun(client, runId, out, options);
}

/** One read of a run: its status as the result, exit code by whether it failed. */
export async function runStatus(client: GreenlightClient, runId: string, out: Output): Promise<ExitCode> {
  const run = runOf(await client.request("GET", `/runs/${encodeURIComponent(runId)}`));
  out.info(`Run ${run.id}: ${run.status}${run.currentStep ? ` (${run.currentStep})` : ""}`);
  out.result(run.status);
  return (FAILED_RUN_STATUSES as readonly string[]).includes(run.status) ? EXIT.FAILED : EXIT.OK;
}
