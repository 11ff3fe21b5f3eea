import type { DbTx } from "@/lib/db";
import { deployRunJob, enqueue, rollbackRunJob } from "@/lib/jobs/registry";

/** Queues a run's job in the caller's transaction; the job key keeps one pending job per run. */
export async function enqueueRun(
  tx: DbTx,
  runId: string,
  kind: "DEPLOY" | "ROLLBACK" | "PROMOTE" | "ABORT",
): Promise<void> {
  await enqueue(tx, kind === "ROLLBACK" ? rollbackRunJob : deployRunJob, { runId }, { key: `run:${runId}` });
}
