import { z } from "zod";
import type { DbTx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { currentRequestId, REQUEST_ID_PATTERN } from "@/lib/telemetry/request-context";

/**
 * Every durable job Greenlight queues, declared once: its name on the queue, the payload schema
 * (checked when it is queued and again when a worker picks it up), the worker lane it runs in
 * and how often graphile-worker retries it.
 */
export interface JobDefinition<Schema extends z.ZodType> {
  name: string;
  schema: Schema;
  /**
   * Deploys may hold a slot through a long canary pause; rollbacks and verification checks run
   * in a lane of their own so they never queue behind them.
   */
  lane: "deploys" | "urgent";
  maxAttempts: number;
}

export function defineJob<Schema extends z.ZodType>(definition: JobDefinition<Schema>): JobDefinition<Schema> {
  return definition;
}

// requestId: the request that queued the job (or its job's), so the worker's logs carry it too.
const runPayload = z.object({ runId: z.string().min(1), requestId: z.string().regex(REQUEST_ID_PATTERN).optional() });

export const deployRunJob = defineJob({ name: "deployment-run", schema: runPayload, lane: "deploys", maxAttempts: 3 });
export const rollbackRunJob = defineJob({ name: "rollback-run", schema: runPayload, lane: "urgent", maxAttempts: 3 });
export const verifyDeployJob = defineJob({
  name: "verify-deploy",
  schema: runPayload,
  lane: "urgent",
  maxAttempts: 10,
});

export const JOBS = [deployRunJob, rollbackRunJob, verifyDeployJob] as const;

export interface EnqueueOptions {
  /** One pending job per key: queueing it again replaces the pending one instead of adding another. */
  key: string;
  runAt?: Date;
}

/**
 * Queues a job in the caller's transaction, so the row it acts on never exists without its job
 * (or the reverse). graphile-worker's add_job lives in the database.
 */
export async function enqueue<Schema extends z.ZodType>(
  tx: Pick<DbTx, "$executeRaw">,
  job: JobDefinition<Schema>,
  payload: z.input<Schema>,
  options: EnqueueOptions,
): Promise<void> {
  await tx.$executeRaw`select ${addJob(job, payload, options)}`;
}

/** The add_job call as an SQL expression, for a statement that queues a job with the row it acts on. */
export function addJob<Schema extends z.ZodType>(
  job: JobDefinition<Schema>,
  payload: z.input<Schema>,
  options: EnqueueOptions,
): Prisma.Sql {
  const parsed = job.schema.parse({ requestId: currentRequestId(), ...(payload as object) });
  return Prisma.sql`graphile_worker.add_job(${job.name}::text, ${JSON.stringify(parsed)}::json, run_at := ${options.runAt ?? null}::timestamptz, job_key := ${options.key}::text, max_attempts := ${job.maxAttempts}::int)`;
}
