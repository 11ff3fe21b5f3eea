import type { DbTx } from "@/lib/db";

export const RUN_TASK = "deployment-run";
/**
 * Rollbacks have a lane of their own (with the verification checks), so they never wait behind
 * deploys that hold worker slots through long canary pauses.
 */
export const ROLLBACK_TASK = "rollback-run";

/**
 * Queues a run's job in the caller's transaction, so a run row never exists without its job (or
 * the reverse). graphile-worker's add_job lives in the database; the job key keeps one pending
 * job per run.
 */
export async function enqueueRun(tx: DbTx, runId: string, kind: "DEPLOY" | "ROLLBACK" | "PROMOTE" | "ABORT"): Promise<void> {
  const task = kind === "ROLLBACK" ? ROLLBACK_TASK : RUN_TASK;
  await tx.$executeRaw`select graphile_worker.add_job(${task}::text, json_build_object('runId', ${runId}::text), job_key := ${`run:${runId}`}::text, max_attempts := 3)`;
}
