/**
 * `greenlight`: drives Greenlight's /api/v1 from a CI pipeline (see README, "API for CI").
 *
 *   GREENLIGHT_URL=https://greenlight.example.com GREENLIGHT_TOKEN=glt_… npx greenlight release create …
 *
 * Results (ids, statuses) go to stdout, progress to stderr. Exit codes: 0 done, 1 failed or
 * refused, 2 bad usage, 3 a --wait that ran out of time.
 */
import { defineCommand, runMain, type ArgsDef } from "citty";
import { ApiError, GreenlightClient } from "@/lib/cli/client";
import {
  consoleOutput,
  createRelease,
  deploy,
  EXIT,
  gate,
  rollback,
  runStatus,
  waitForRun,
  type ExitCode,
} from "@/lib/cli/pipeline";

const connection = {
  url: { type: "string", description: "The app's URL (default: $GREENLIGHT_URL)", valueHint: "url" },
  token: { type: "string", description: "API token (default: $GREENLIGHT_TOKEN; prefer the variable)" },
} as const satisfies ArgsDef;

const waiting = {
  wait: { type: "boolean", description: "Wait until it finishes", default: false },
  timeout: { type: "string", description: "Seconds to wait at most (default 1800)", valueHint: "seconds" },
  interval: { type: "string", description: "Seconds between reads (default 5)", valueHint: "seconds" },
} as const satisfies ArgsDef;

class UsageError extends Error {}

function seconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 7 * 86_400) throw new UsageError(`--${name} must be a number of seconds.`);
  return n * 1000;
}

function clientFrom(args: { url?: string; token?: string }): GreenlightClient {
  const baseUrl = args.url ?? process.env.GREENLIGHT_URL;
  const token = args.token ?? process.env.GREENLIGHT_TOKEN;
  if (!baseUrl) throw new UsageError("Set GREENLIGHT_URL (or pass --url) to the app's address.");
  if (!token) throw new UsageError("Set GREENLIGHT_TOKEN (or pass --token) to an API token.");
  return new GreenlightClient({ baseUrl, token });
}

function waitOptions(args: { wait?: boolean; timeout?: string; interval?: string }) {
  return {
    wait: Boolean(args.wait),
    timeoutMs: seconds(args.timeout, "timeout", 1800),
    intervalMs: seconds(args.interval, "interval", 5),
  };
}

/** Runs one command and leaves with its exit code; refusals print the server's sentence. */
async function finish(work: () => Promise<ExitCode | string>): Promise<never> {
  let code: number;
  try {
    const result = await work();
    code = typeof result === "number" ? result : EXIT.OK;
  } catch (error) {
    if (error instanceof UsageError) {
      consoleOutput.info(`greenlight: ${error.message}`);
      code = 2;
    } else if (error instanceof ApiError || error instanceof Error) {
      consoleOutput.info(`greenlight: ${error.message}`);
      code = EXIT.FAILED;
    } else {
      consoleOutput.info(`greenlight: ${String(error)}`);
      code = EXIT.FAILED;
    }
  }
  process.exit(code);
}

const releaseCreate = defineCommand({
  meta: { name: "create", description: "Create a release; prints its id" },
  args: {
    ...connection,
    service: { type: "string", description: "Service name, e.g. checkout (or --service-id)" },
    "service-id": { type: "string", description: "Service id" },
    environment: { type: "string", description: "Environment name, e.g. staging (or --environment-id)" },
    "environment-id": { type: "string", description: "Environment id" },
    image: { type: "string", description: "Image reference, e.g. registry/app:1.2.3 or @sha256:…", required: true },
    strategy: {
      type: "enum",
      description: "Deploy strategy (default: the target's)",
      options: ["ROLLING", "BLUE_GREEN", "CANARY"],
    },
    summary: { type: "string", description: "Change summary, 10+ characters (default: names the commit)" },
    commit: { type: "string", description: "Commit SHA the image was built from" },
    link: { type: "string", description: "A link as label=url (repeatable)" },
  },
  run: ({ args }) =>
    finish(async () => {
      const raw = args.link === undefined ? [] : ([] as string[]).concat(args.link as string | string[]);
      const links = raw.map((entry) => {
        const at = entry.indexOf("=");
        if (at < 1) throw new UsageError(`--link must be label=url, not ${JSON.stringify(entry)}.`);
        return { label: entry.slice(0, at), url: entry.slice(at + 1) };
      });
      return createRelease(
        clientFrom(args),
        {
          service: args.service,
          serviceId: args["service-id"],
          environment: args.environment,
          environmentId: args["environment-id"],
          imageRef: args.image,
          strategy: args.strategy,
          changeSummary: args.summary,
          commitSha: args.commit,
          links: links.length ? links : undefined,
        },
        consoleOutput,
      );
    }),
});

const gateCommand = defineCommand({
  meta: { name: "gate", description: "Show what a release still needs; --wait until it is green" },
  args: { ...connection, ...waiting, release: { type: "positional", description: "Release id", required: true } },
  run: ({ args }) => finish(() => gate(clientFrom(args), args.release, consoleOutput, waitOptions(args))),
});

const deployCommand = defineCommand({
  meta: { name: "deploy", description: "Deploy an approved release; --wait until the run finishes" },
  args: { ...connection, ...waiting, release: { type: "positional", description: "Release id", required: true } },
  run: ({ args }) => finish(() => deploy(clientFrom(args), args.release, consoleOutput, waitOptions(args))),
});

const rollbackCommand = defineCommand({
  meta: { name: "rollback", description: "Roll a service back to its last good version in an environment" },
  args: {
    ...connection,
    ...waiting,
    service: { type: "positional", description: "Service name or id", required: true },
    environment: { type: "string", description: "Environment name (or --environment-id)" },
    "environment-id": { type: "string", description: "Environment id" },
    reason: { type: "string", description: "Why (recorded with the run)", required: true },
  },
  run: ({ args }) =>
    finish(() =>
      rollback(
        clientFrom(args),
        {
          service: args.service,
          environment: args.environment,
          environmentId: args["environment-id"],
          reason: args.reason,
        },
        consoleOutput,
        waitOptions(args),
      ),
    ),
});

const runCommand = defineCommand({
  meta: { name: "run", description: "Runs" },
  subCommands: {
    status: defineCommand({
      meta: { name: "status", description: "A run's status; --wait until it finishes" },
      args: { ...connection, ...waiting, run: { type: "positional", description: "Run id", required: true } },
      run: ({ args }) =>
        finish(() =>
          args.wait
            ? waitForRun(clientFrom(args), args.run, consoleOutput, waitOptions(args))
            : runStatus(clientFrom(args), args.run, consoleOutput),
        ),
    }),
  },
});

export const main = defineCommand({
  meta: { name: "greenlight", description: "Greenlight's API for CI pipelines" },
  subCommands: {
    release: defineCommand({
      meta: { name: "release", description: "Releases" },
      subCommands: { create: releaseCreate },
    }),
    gate: gateCommand,
    deploy: deployCommand,
    rollback: rollbackCommand,
    run: runCommand,
  },
});

await runMain(main);
