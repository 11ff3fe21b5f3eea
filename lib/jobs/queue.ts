import type { DbTx } from "@/lib/db";

export const RUN_TASK = "deployment-run";

/**
 * Queues a run's job in the caller's transaction, so a run row never exists without its job (or
 * the reverse). graphile-worker's add_job lives in the database; the job key keeps one pending
 * job per run.
 */
export async function enqueueRun(tx: DbTx, runId: string): Promise<void> {
  await tx.$executeRaw`select graphile_worker.add_job(${RUN_TASK}::text, json_build_object('runId', ${runId}::text), job_key := ${`run:${runId}`}::text, max_attempts := 3)`;
}
