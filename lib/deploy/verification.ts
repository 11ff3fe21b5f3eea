import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import { db, type DbTx } from "@/lib/db";
import type { AnalysisVerdict, SliAnalysis } from "@/lib/deploy/analysis";
import { createRollbackRun, isActiveRunConflict } from "@/lib/deploy/requests";
import { appendRunEvent } from "@/lib/deploy/run-store";
import { deployTarget, runDeadlineSeconds } from "@/lib/deploy/targets";
import type { VerificationStatus } from "@/lib/generated/prisma/client";
import { openAutoRollbackIncident } from "@/lib/incidents/auto-rollback";
import { log } from "@/lib/log";
import { notifyRollback } from "@/lib/notifications/slack";

export const VERIFY_TASK = "verify-deploy";
const STEP = "verify-slis";
/** The trailing window each check judges: long enough to smooth noise, short enough to see a change. */
const MAX_CHECK_WINDOW_SECONDS = 120;
const DEFAULT_INTERVAL_MS = 5000;
const DEFAULT_MIN_WINDOW_SECONDS = 20;

/** What the deploy's worker knows about verifying it: set when the deploy qualifies. */
export interface VerificationPlan {
  windowSeconds: number;
  firstCheckAt: Date;
}

/**
 * Rolling and blue-green deploys are watched after they succeed; canaries were judged step by
 * step already. No analysis (no Prometheus) or a zero window means no verification.
 */
export function verificationPlan(run: { kind: string; strategy: string; dryRun: boolean }, target: { verifyWindowSeconds: number; metricsSelector: string | null }, analysis: SliAnalysis | undefined, now: Date): VerificationPlan | null {
  if (run.kind !== "DEPLOY" || run.strategy === "CANARY" || run.dryRun || !analysis?.evaluateLive) return null;
  if (target.verifyWindowSeconds <= 0 || !target.metricsSelector) return null;
  const verifyWindowSeconds = target.verifyWindowSeconds;
  const minWindow = analysis.minWindowSeconds ?? DEFAULT_MIN_WINDOW_SECONDS;
  return { windowSeconds: verifyWindowSeconds, firstCheckAt: new Date(now.getTime() + minWindow * 1000) };
}

/** Queues the next check in the caller's transaction; the job key keeps one pending check per run. */
export async function scheduleCheck(tx: DbTx, runId: string, at: Date): Promise<void> {
  await tx.$executeRaw`select graphile_worker.add_job(${VERIFY_TASK}::text, json_build_object('runId', ${runId}::text), run_at := ${at}::timestamptz, job_key := ${`verify:${runId}`}::text, max_attempts := 10)`;
}

/** Starts the window, in the transaction that marks the deploy succeeded. */
export async function beginVerification(tx: DbTx, runId: string, plan: VerificationPlan, autoRollback: boolean, now = new Date()): Promise<void> {
  const until = new Date(now.getTime() + plan.windowSeconds * 1000);
  await tx.deploymentRun.update({ where: { id: runId }, data: { verification: "VERIFYING", verifyUntil: until, verificationNote: "waiting for the first check", updatedAt: now } });
  const minutes = plan.windowSeconds >= 120 ? `${Math.round(plan.windowSeconds / 60)} min` : `${plan.windowSeconds} s`;
  await appendRunEvent(tx, runId, {
    step: STEP,
    phase: "INFO",
    message: `watching error rate, P95 and P99 for ${minutes}; ${autoRollback ? "a breach rolls the service back automatically" : "automatic rollback is off for this service: a breach is reported"}`,
  });
  await scheduleCheck(tx, runId, plan.firstCheckAt);
}

export type CheckOutcome = "rescheduled" | "concluded" | "rolled-back" | "not-verifying";

/**
 * One check of a deploy's verification window, run by the job queue: judges the SLIs of the
 * new version since traffic reached it, rolls back on a breach, and concludes when the window
 * ends. Every change of state is guarded by the run still being VERIFYING, so a check run twice
 * (a retried job, two workers) acts once.
 */
export async function checkVerification(runId: string, analysis: SliAnalysis | undefined, now: () => Date = () => new Date()): Promise<CheckOutcome> {
  const run = await db.deploymentRun.findUnique({ where: { id: runId }, include: { service: { include: { targets: true } }, environment: true } });
  if (!run || run.verification !== "VERIFYING") return "not-verifying";
  const row = run.service.targets.find((t) => t.environmentId === run.environmentId);
  if (!row) return conclude(runId, "UNVERIFIED", `${run.service.name} no longer has a target in ${run.environment.name}`);
  if (!analysis?.evaluateLive) return conclude(runId, "UNVERIFIED", "this worker has no Prometheus configured, so nothing could be judged");

  const newer = await db.deploymentRun.findFirst({
    where: { serviceId: run.serviceId, environmentId: run.environmentId, kind: { in: ["DEPLOY", "ROLLBACK"] }, dryRun: false, createdAt: { gt: run.createdAt } },
    orderBy: { createdAt: "asc" },
    include: { requestedBy: { select: { name: true } } },
  });
  if (newer) return conclude(runId, "SUPERSEDED", `a ${newer.kind.toLowerCase()}${newer.requestedBy ? ` by ${newer.requestedBy.name}` : ""} replaced this version before its window ended`);

  const switchedAt = (run.trafficSwitchedAt ?? run.finishedAt ?? run.updatedAt).getTime();
  const minWindow = analysis.minWindowSeconds ?? DEFAULT_MIN_WINDOW_SECONDS;
  const elapsedSeconds = (now().getTime() - switchedAt) / 1000;
  // Judging before a whole window has passed since the switch would mix in the old version.
  if (elapsedSeconds < minWindow) return reschedule(runId, new Date(switchedAt + minWindow * 1000));

  const verdict = await analysis.evaluateLive(deployTarget(row, run.service.name), Math.min(elapsedSeconds, MAX_CHECK_WINDOW_SECONDS));
  if (verdict.verdict === "fail") return breach(run.id, verdict);
  const lastVerdict = (run.state as { verifyVerdict?: string } | null)?.verifyVerdict;
  if (verdict.verdict !== lastVerdict) await noteVerdict(runId, verdict);
  const until = run.verifyUntil?.getTime() ?? 0;
  if (now().getTime() >= until) {
    return verdict.verdict === "pass"
      ? conclude(runId, "VERIFIED", `verified: ${verdict.summary}`)
      : conclude(runId, "UNVERIFIED", `the window ended without a verdict (${verdict.summary}); it was not rolled back`);
  }
  return reschedule(runId, new Date(Math.min(until, now().getTime() + (analysis.intervalMs ?? DEFAULT_INTERVAL_MS))), verdict.summary);
}

async function reschedule(runId: string, at: Date, note?: string): Promise<CheckOutcome> {
  await db.$transaction(async (tx) => {
    // updated_at doubles as the check heartbeat the sweeper watches.
    const still = await tx.deploymentRun.updateMany({ where: { id: runId, verification: "VERIFYING" }, data: { updatedAt: new Date(), ...(note ? { verificationNote: `last check: ${note}` } : {}) } });
    if (still.count === 1) await scheduleCheck(tx, runId, at);
  });
  return "rescheduled";
}

/** An event when the verdict changes (not on every check), so the run's history stays readable. */
async function noteVerdict(runId: string, verdict: AnalysisVerdict): Promise<void> {
  await db.$transaction(async (tx) => {
    await appendRunEvent(tx, runId, { step: STEP, phase: "INFO", message: `${verdict.verdict === "pass" ? "SLIs within their limits" : "no verdict yet"}: ${verdict.summary}`, response: verdict.measurements });
    await tx.$executeRaw`update deployment_runs set state = jsonb_set(state, '{verifyVerdict}', to_jsonb(${verdict.verdict}::text)) where id = ${runId}`;
  });
}

async function conclude(runId: string, status: Exclude<VerificationStatus, "VERIFYING" | "BREACHED">, note: string): Promise<CheckOutcome> {
  await db.$transaction(async (tx) => {
    const changed = await tx.deploymentRun.updateMany({ where: { id: runId, verification: "VERIFYING" }, data: { verification: status, verificationNote: note } });
    if (changed.count === 1) await appendRunEvent(tx, runId, { step: STEP, phase: status === "VERIFIED" ? "AFTER" : "INFO", message: note });
  });
  return "concluded";
}

/**
 * A breach: the deploy is marked, and unless the target turned it off, a rollback run is queued,
 * an incident opened and the reason recorded, all in one transaction. If a person already started
 * a deploy or rollback, PostgreSQL refuses the second run and the breach is only recorded.
 */
async function breach(runId: string, verdict: AnalysisVerdict): Promise<CheckOutcome> {
  const why = verdict.summary;
  try {
    const rollback = await db.$transaction(async (tx) => {
      const run = await tx.deploymentRun.findUniqueOrThrow({ where: { id: runId }, include: { service: { include: { targets: true } }, environment: true } });
      const row = run.service.targets.find((t) => t.environmentId === run.environmentId)!;
      const marked = await tx.deploymentRun.updateMany({ where: { id: runId, verification: "VERIFYING" }, data: { verification: "BREACHED", verificationNote: `breach: ${why}` } });
      if (marked.count === 0) return null;
      if (!row.autoRollback) {
        await appendRunEvent(tx, runId, { step: STEP, phase: "ERROR", message: `breach: ${why}. Automatic rollback is off for this service; roll back from the service page if users are hurt.`, response: verdict.measurements });
        return null;
      }
      const created = await createRollbackRun(tx, {
        serviceId: run.serviceId,
        environmentId: run.environmentId,
        strategy: run.strategy,
        reason: `Automatic rollback: ${run.toImage ?? "the new version"} breached its SLIs after the deploy: ${why}`,
        rollbackTarget: run.rollbackTarget,
        releaseId: run.releaseId,
        requestedById: null,
        deadlineSeconds: runDeadlineSeconds(run.strategy, "ROLLBACK", row),
      });
      await appendRunEvent(tx, runId, { step: STEP, phase: "ERROR", message: `breach: ${why}. Rolling back automatically (run ${created.id}).`, response: verdict.measurements });
      const incident = await openAutoRollbackIncident(tx, {
        serviceId: run.serviceId,
        environmentId: run.environmentId,
        serviceName: run.service.displayName,
        environmentName: run.environment.displayName,
        // Environments that need sign-offs are the ones users depend on.
        production: run.environment.requiresApproval,
        deployRunId: run.id,
        rollbackRunId: created.id,
        image: run.toImage,
        why,
      });
      await recordAudit(tx, SYSTEM_ACTOR, { action: "run.auto_rollback", targetType: "run", targetId: created.id, after: { deployRunId: run.id, incident: incident.number, why } });
      return { run, incidentNumber: incident.number };
    });
    if (rollback) void notifyRollback(rollback.run.releaseId, `${rollback.run.service.displayName} in ${rollback.run.environment.displayName} is being rolled back automatically: ${why} (INC-${rollback.incidentNumber})`);
    return rollback ? "rolled-back" : "concluded";
  } catch (error) {
    if (!isActiveRunConflict(error)) throw error;
    log.warn({ runId }, "verification breach while another run is active; not starting a second one");
    await db.$transaction(async (tx) => {
      const marked = await tx.deploymentRun.updateMany({ where: { id: runId, verification: "VERIFYING" }, data: { verification: "BREACHED", verificationNote: `breach: ${why}` } });
      if (marked.count === 1) await appendRunEvent(tx, runId, { step: STEP, phase: "ERROR", message: `breach: ${why}. A deploy or rollback was already under way, so no automatic rollback was started.`, response: verdict.measurements });
    });
    return "concluded";
  }
}

/**
 * A verification whose checks stopped (the worker running one died: graphile-worker keeps a dead
 * worker's job locked for hours) gets a new check queued, so no deploy stays "verifying" for ever
 * and a breach is still caught.
 */
export async function requeueStalledVerifications(): Promise<number> {
  return db.$transaction(async (tx) => {
    const stalled = await tx.$queryRaw<{ id: string }[]>`
      update deployment_runs set updated_at = now()
       where verification = 'VERIFYING' and updated_at < now() - interval '60 seconds'
       returning id`;
    for (const { id } of stalled) await scheduleCheck(tx, id, new Date());
    return stalled.length;
  });
}
