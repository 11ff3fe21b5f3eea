import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import { db, type DbTx } from "@/lib/db";
import { beginVerification, type VerificationPlan } from "@/lib/deploy/verification/window";
import { humanize } from "@/lib/format/humanize";
import type { DeploymentRun, RunStatus } from "@/lib/generated/prisma/client";
import { openAutoRollbackIncident, recordRollbackOutcome } from "@/lib/incidents/auto-rollback";
import { recordRunActivity } from "@/lib/incidents/run-activity";
import { closeReplacedFollowUps, openFollowUps } from "@/lib/follow-ups/lifecycle";
import { notifyRelease } from "@/lib/notifications/slack";
import { DONE, type FinalStatus } from "@/lib/deploy/engine/machine";
import { telemetry } from "@/lib/telemetry/metrics";

export interface FinishOptions {
  /** Where the release goes when the deploy did not succeed (PENDING when the gate refused it). */
  releaseStatus?: "PENDING";
  verify: VerificationPlan | null;
  autoRollback: boolean;
  /** A deploy stopped by its SLI analysis: an automatic rollback, which opens an incident. */
  breach?: { why: string; mitigated: boolean };
}

/**
 * Puts the run in its final state, once, and only as the lease holder (a worker that lost the
 * run cannot end it); what follows from it happens in the same transaction.
 */
export async function finishRun(
  runId: string,
  token: string,
  status: FinalStatus,
  outcome: string,
  options: FinishOptions,
): Promise<"finished" | "not-mine"> {
  const finished = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<
      { lease_owner: string | null }[]
    >`select lease_owner from deployment_runs where id = ${runId} for update`;
    if (locked[0]?.lease_owner !== token) return null;
    const run = await tx.deploymentRun.findUniqueOrThrow({ where: { id: runId } });
    const seq = ((await tx.runEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
    await tx.runEvent.create({
      data: {
        runId,
        seq,
        step: "finish",
        phase: status === "SUCCEEDED" ? "AFTER" : "ERROR",
        message: `${humanize(status)}: ${outcome}`,
      },
    });
    const finishedAt = new Date();
    await tx.deploymentRun.update({
      where: { id: runId },
      data: { status, outcome, currentStep: DONE, finishedAt, leaseOwner: null, leaseExpiresAt: null },
    });
    await afterRunEnds(tx, run, status, outcome, options, finishedAt);
    return run;
  });
  if (!finished) return "not-mine";
  if (!finished.dryRun)
    telemetry().runsFinished.inc({ kind: finished.kind, strategy: finished.strategy, outcome: status.toLowerCase() });
  if (status === "SUCCEEDED" && finished.kind === "DEPLOY" && finished.releaseId)
    void notifyRelease(finished.releaseId, "deployed");
  return "finished";
}

/** The post-deployment checklist: the version replaced has its open follow-ups closed, a new one gets its own. */
async function followUpsAfter(tx: DbTx, run: DeploymentRun, finishedAt: Date): Promise<void> {
  if (run.kind === "ROLLBACK") {
    await closeReplacedFollowUps(tx, run, "Closed: the service was rolled back.");
    return;
  }
  if (run.kind !== "DEPLOY" || !run.releaseId) return;
  const release = await tx.release.findUniqueOrThrow({ where: { id: run.releaseId }, select: { number: true } });
  await closeReplacedFollowUps(tx, run, `Closed: R-${release.number} replaced this version.`);
  await openFollowUps(tx, run, finishedAt);
}

/**
 * What a run's end means for the rest of Greenlight: the release's status, the rollback's
 * incident, an incident for a deploy its analysis stopped, the verification window, the record
 * of a person's promote or abort, and the audit entry.
 */
async function afterRunEnds(
  tx: DbTx,
  run: DeploymentRun,
  status: RunStatus,
  outcome: string,
  options: FinishOptions,
  finishedAt: Date,
): Promise<void> {
  if (status === "SUCCEEDED") await followUpsAfter(tx, run, finishedAt);
  if (run.kind === "DEPLOY" && run.releaseId) {
    await tx.release.update({
      where: { id: run.releaseId },
      data:
        status === "SUCCEEDED"
          ? { status: "DEPLOYED", deployedAt: new Date() }
          : { status: options.releaseStatus ?? "FAILED" },
    });
  }
  if (run.kind === "ROLLBACK" && status === "SUCCEEDED") {
    // The release that was live is the one rolled back.
    const live = await tx.release.findFirst({
      where: { serviceId: run.serviceId, environmentId: run.environmentId, status: "DEPLOYED" },
      orderBy: { deployedAt: "desc" },
    });
    if (live) await tx.release.update({ where: { id: live.id }, data: { status: "ROLLED_BACK" } });
  }
  if (run.kind === "ROLLBACK") await recordRollbackOutcome(tx, run.id, status === "SUCCEEDED", outcome);
  // Open incidents on the service hear of it, before a breach opens an incident of its own.
  if (options.breach && run.kind === "DEPLOY")
    await recordRunActivity(tx, run, { type: "sli-breach", why: options.breach.why });
  await recordRunActivity(tx, run, { type: "finished", status, outcome });
  if (options.breach && run.kind === "DEPLOY") {
    const context = await tx.deploymentRun.findUniqueOrThrow({
      where: { id: run.id },
      select: { service: true, environment: true },
    });
    await openAutoRollbackIncident(tx, {
      serviceId: run.serviceId,
      environmentId: run.environmentId,
      serviceName: context.service.displayName,
      environmentName: context.environment.displayName,
      userFacing: context.environment.requiresApproval,
      deployRunId: run.id,
      rollbackRunId: run.id,
      releaseId: run.releaseId,
      image: run.toImage,
      why: options.breach.why,
      remedy: options.breach.mitigated
        ? `Greenlight scaled the canary to zero: ${outcome}`
        : `Greenlight could not finish scaling the canary to zero, check it now: ${outcome}`,
      mitigated: options.breach.mitigated,
    });
  }
  if (options.verify) await beginVerification(tx, run.id, options.verify, options.autoRollback);
  await tx.runControl.updateMany({
    where: { runId: run.id, appliedAt: null },
    data: { appliedAt: new Date(), outcome: `${humanize(status)}: ${outcome}` },
  });
  await recordAudit(tx, SYSTEM_ACTOR, {
    action: "run.finish",
    targetType: "run",
    targetId: run.id,
    before: { status: run.status },
    after: { status, outcome },
  });
}
