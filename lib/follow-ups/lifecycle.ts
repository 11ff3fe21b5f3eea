import type { DbTx } from "@/lib/db";
import type { DeploymentRun } from "@/lib/generated/prisma/client";
import { followUpDueAt } from "@/lib/follow-ups/due";

/**
 * A succeeded deploy takes its own copy of its environment's follow-ups, with due times from the
 * moment it finished. In the run's final transaction: the items exist exactly when the deploy
 * succeeded. A later edit of the template changes future deploys only.
 */
export async function openFollowUps(tx: DbTx, run: DeploymentRun, finishedAt: Date): Promise<number> {
  if (run.kind !== "DEPLOY" || run.dryRun || !run.releaseId) return 0;
  const environment = await tx.environment.findUniqueOrThrow({
    where: { id: run.environmentId },
    select: { followUpTimeZone: true, followUpTemplate: { orderBy: { position: "asc" } } },
  });
  if (environment.followUpTemplate.length === 0) return 0;
  const releaseId = run.releaseId;
  const { count } = await tx.followUpItem.createMany({
    data: environment.followUpTemplate.map((item, position) => ({
      runId: run.id,
      releaseId,
      label: item.label,
      due: item.due,
      dueAt: followUpDueAt(finishedAt, item.due, environment.followUpTimeZone),
      position,
    })),
  });
  return count;
}

/**
 * A rollback or a newer deploy replaced the version whose follow-ups are still open: nobody
 * watches a version that no longer runs, so they are closed (not ticked), saying why.
 */
export async function closeReplacedFollowUps(tx: DbTx, run: DeploymentRun, reason: string): Promise<number> {
  if (run.dryRun) return 0;
  return tx.$executeRaw`
    update follow_up_items f
       set closed_at = now(), closed_reason = ${reason}
      from deployment_runs r
     where f.run_id = r.id
       and r.service_id = ${run.serviceId}
       and r.environment_id = ${run.environmentId}
       and r.id <> ${run.id}
       and f.checked_at is null
       and f.closed_at is null`;
}
