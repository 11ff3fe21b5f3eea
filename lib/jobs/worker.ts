import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { run, runMigrations, type Runner, type RunnerOptions, type TaskList } from "graphile-worker";
import { db } from "@/lib/db";
import type { SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import type { z } from "zod";
import { executeRun } from "@/lib/deploy/engine/executor";
import { checkVerification, requeueStalledVerifications } from "@/lib/deploy/verification/window";
import type { ClusterGateway } from "@/lib/k8s/gateway";
import { enqueueRun } from "@/lib/jobs/queue";
import { deployRunJob, JOBS, rollbackRunJob, verifyDeployJob, type JobDefinition } from "@/lib/jobs/registry";
import { log } from "@/lib/log";
import { withRequestId } from "@/lib/telemetry/request-context";
import { notifyOverdueFollowUps } from "@/lib/follow-ups/overdue";

export interface WorkerOptions {
  connectionString: string;
  concurrency?: number;
  analysis?: SliAnalysis;
  gateway?: (cluster: string) => ClusterGateway;
  leaseMs?: number;
  sweepIntervalMs?: number;
}

export interface RunWorker {
  id: string;
  stop(): Promise<void>;
}

/** Creates graphile-worker's tables and functions; runs before anything queues a job. */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: undefined });
}

/**
 * Requeues runs whose worker stopped renewing the lease (a crash, a killed pod), so another
 * worker resumes them where they were.
 */
export async function sweepAbandonedRuns(): Promise<number> {
  // A canary paused past its deadline (nobody promoted or aborted it) is stopped: a run never
  // waits for ever, and it would block rollbacks of the service.
  const overdue = await db.$queryRaw<{ id: string }[]>`
    update deployment_runs
       set control_request = coalesce(control_request, 'abort'), status = 'RUNNING'::"RunStatus", lease_owner = null, lease_expires_at = null, updated_at = now() - interval '1 minute'
     where status = 'PAUSED' and deadline_at < now()
     returning id`;
  for (const { id } of overdue) log.warn({ runId: id }, "a paused canary passed its deadline; aborting it");
  // ACTIVE_RUN_STATUSES (lib/deploy/run-status.ts) less PAUSED: a paused canary holds no lease
  // (the statement above deals with one left past its deadline).
  const stale = await db.$queryRaw<{ id: string; kind: "DEPLOY" | "ROLLBACK" }[]>`
    select id, kind from deployment_runs
     where status in ('QUEUED', 'RUNNING')
       and ((lease_expires_at is not null and lease_expires_at < now())
         or (lease_owner is null and updated_at < now() - interval '10 seconds'))`;
  for (const { id, kind } of stale) {
    await db.$transaction(async (tx) => {
      await enqueueRun(tx, id, kind);
      await tx.deploymentRun.update({ where: { id }, data: { updatedAt: new Date() } });
    });
    log.warn({ runId: id }, "requeued a run whose worker stopped");
  }
  const stalled = await requeueStalledVerifications();
  if (stalled > 0) log.warn({ count: stalled }, "requeued verification checks that stopped");
  return stale.length + overdue.length + stalled;
}

const RESTART_BACKOFF_MS = [250, 500, 1000, 2000, 5000];

/** A graphile-worker runner that is started again if it stops by itself (its pool failed). */
async function supervisedRunner(lane: string, options: RunnerOptions): Promise<{ stop(): Promise<void> }> {
  let stopped = false;
  let current: Runner | undefined;
  const restart = async (runner: Runner, error: unknown) => {
    if (stopped) return;
    log.error({ err: error, lane }, "the job runner stopped; starting it again");
    await runner.stop().catch(() => undefined);
    for (let attempt = 0; !stopped; attempt++) {
      await sleep(RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)]);
      if (stopped) return;
      try {
        current = await run(options);
        log.info({ lane, attempts: attempt + 1 }, "the job runner is running again");
        watch(current);
        return;
      } catch (restartError) {
        log.warn({ err: restartError, lane }, "the job runner could not start yet");
      }
    }
  };
  // A runner that gave up ends its promise, with an error or (after its graceful shutdown)
  // without one; either way, unless we stopped it, it is started again.
  const watch = (runner: Runner) => {
    runner.promise.then(
      () => void restart(runner, undefined),
      (error: unknown) => void restart(runner, error),
    );
  };
  current = await run(options);
  watch(current);
  return {
    async stop() {
      stopped = true;
      await current?.stop().catch((error: unknown) => log.warn({ err: error, lane }, "stopping the job runner failed"));
    },
  };
}

/**
 * graphile-worker records a job's end (completed, failed) without awaiting it; when PostgreSQL
 * is away at that moment, the promise rejects with nobody to catch it, and Node ends the process.
 * Nothing is lost by going on: the job stays locked, the run's lease expires, and the sweeper
 * queues the run again once PostgreSQL is back. So a worker process logs those and keeps running;
 * any other unhandled rejection still ends it.
 */
export function surviveJobQueueOutages(): void {
  process.on("unhandledRejection", (reason) => {
    const stack = reason instanceof Error ? (reason.stack ?? "") : "";
    if (/graphile-worker[\\/].*(failJobs|completeJobs)/.test(stack)) {
      log.error(
        { err: reason },
        "the job queue could not record a job's end (PostgreSQL unreachable); its run is requeued by the sweeper",
      );
      return;
    }
    log.fatal({ err: reason }, "unhandled rejection");
    process.exit(1);
  });
}

/** The worker `npm start` runs beside the web server: it executes deploy and rollback runs. */
export async function startRunWorker(options: WorkerOptions): Promise<RunWorker> {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  await migrateJobQueue(options.connectionString);
  const execute = async ({ runId }: { runId: string }, signal?: AbortSignal) => {
    const outcome = await executeRun(runId, {
      workerId: id,
      signal,
      analysis: options.analysis,
      gateway: options.gateway,
      leaseMs: options.leaseMs,
    });
    log.info({ runId, outcome, worker: id }, "run handled");
  };
  const handlers: {
    [K in (typeof JOBS)[number]["name"]]: (
      payload: { runId: string; requestId?: string },
      signal?: AbortSignal,
    ) => Promise<void>;
  } = {
    [deployRunJob.name]: execute,
    [rollbackRunJob.name]: execute,
    [verifyDeployJob.name]: async ({ runId }) => {
      const outcome = await checkVerification(runId, options.analysis);
      if (outcome !== "rescheduled") log.info({ runId, outcome, worker: id }, "verification check");
    },
  };
  // Each job's payload is checked against its schema before its handler sees it.
  const taskList = (lane: JobDefinition<z.ZodType>["lane"]): TaskList =>
    Object.fromEntries(
      JOBS.filter((job) => job.lane === lane).map((job) => [
        job.name,
        async (payload: unknown, helpers: { abortSignal?: AbortSignal }) => {
          const parsed = job.schema.parse(payload);
          // Its logs, the cluster calls it makes and the jobs it queues carry the request behind it.
          return withRequestId(parsed.requestId, () => handlers[job.name](parsed, helpers.abortSignal));
        },
      ]),
    );
  const common = {
    connectionString: options.connectionString,
    noHandleSignals: true,
    pollInterval: 1000,
  };
  // Two lanes: deploys may hold a slot through a long canary pause; rollbacks and the
  // verification checks that start them never queue behind those.
  const deploys = await supervisedRunner("deploys", {
    ...common,
    concurrency: options.concurrency ?? 4,
    taskList: taskList("deploys"),
  });
  const urgent = await supervisedRunner("urgent", { ...common, concurrency: 4, taskList: taskList("urgent") });
  // Runs whose worker died, and follow-ups that fell overdue (lib/follow-ups/overdue.ts).
  const sweep = () =>
    Promise.all([
      sweepAbandonedRuns().catch((error) => log.error({ err: error }, "sweep failed")),
      notifyOverdueFollowUps().catch((error) => log.error({ err: error }, "overdue follow-ups: sweep failed")),
    ]);
  await sweep();
  const sweeper = setInterval(() => void sweep(), options.sweepIntervalMs ?? 5000);
  return {
    id,
    async stop() {
      clearInterval(sweeper);
      await Promise.all([deploys.stop(), urgent.stop()]);
    },
  };
}
