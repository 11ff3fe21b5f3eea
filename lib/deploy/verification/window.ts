import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import { db, type DbTx } from "@/lib/db";
import type { AnalysisVerdict, SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import { DEFAULT_ANALYSIS_INTERVAL_MS, DEFAULT_MIN_WINDOW_SECONDS } from "@/lib/deploy/analysis/prometheus";
import { createRollbackRun, isActiveRunConflict, rollbackActivityRun } from "@/lib/deploy/commands/requests";
import { chooseRollbackImage } from "@/lib/deploy/rollback/last-good";
import { rollbackCandidates, rollbackHistory } from "@/lib/deploy/rollback/preview";
import { appendRunEvent } from "@/lib/deploy/engine/run-store";
import { isActiveRunStatus } from "@/lib/deploy/run-status";
import { deployTarget, runDeadlineSeconds } from "@/lib/deploy/targets";
import type { RunState } from "@/lib/deploy/types";
import { humanize } from "@/lib/format/humanize";
import type { VerificationStatus } from "@/lib/generated/prisma/client";
import { openAutoRollbackIncident } from "@/lib/incidents/auto-rollback";
import { recordRunActivity } from "@/lib/incidents/run-activity";
import { enqueue, verifyDeployJob } from "@/lib/jobs/registry";
import { log } from "@/lib/log";
import { notifyRollback } from "@/lib/notifications/slack";

const STEP = "verify-slis";
/** The trailing window each check judges: long enough to smooth noise, short enough to see a change. */
const MAX_CHECK_WINDOW_SECONDS = 120;

/** What the deploy's worker knows about verifying it: set when the deploy qualifies. */
export interface VerificationPlan {
  windowSeconds: number;
  firstCheckAt: Date;
}

/**
 * Rolling and blue-green deploys are watched after they succeed; canaries were judged step by
 * step already. No analysis (no Prometheus), no metrics selector or a zero window: none.
 */
export function verificationPlan(
  run: { kind: string; strategy: string; dryRun: boolean },
  target: { verifyWindowSeconds: number; metricsSelector: string | null },
  analysis: SliAnalysis | undefined,
  now: Date,
): VerificationPlan | null {
  if (run.kind !== "DEPLOY" || run.strategy === "CANARY" || run.dryRun || !analysis?.evaluateLive) return null;
  if (target.verifyWindowSeconds <= 0 || !target.metricsSelector) return null;
  const minWindow = analysis.minWindowSeconds ?? DEFAULT_MIN_WINDOW_SECONDS;
  return { windowSeconds: target.verifyWindowSeconds, firstCheckAt: new Date(now.getTime() + minWindow * 1000) };
}

/** Queues the next check in the caller's transaction; the job key keeps one pending check per run. */
export async function scheduleCheck(tx: DbTx, runId: string, at: Date): Promise<void> {
  await enqueue(tx, verifyDeployJob, { runId }, { key: `verify:${runId}`, runAt: at });
}

/** Starts the window, in the transaction that marks the deploy succeeded. */
export async function beginVerification(
  tx: DbTx,
  runId: string,
  plan: VerificationPlan,
  autoRollback: boolean,
  now = new Date(),
): Promise<void> {
  const until = new Date(now.getTime() + plan.windowSeconds * 1000);
  await tx.deploymentRun.update({
    where: { id: runId },
    data: {
      verification: "VERIFYING",
      verifyUntil: until,
      verificationNote: "waiting for the first check",
      updatedAt: now,
    },
  });
  const minutes = plan.windowSeconds >= 120 ? `${Math.round(plan.windowSeconds / 60)} min` : `${plan.windowSeconds} s`;
  await appendRunEvent(tx, runId, {
    step: STEP,
    phase: "INFO",
    message: `watching error rate, P95 and P99 for ${minutes}; ${autoRollback ? "a breach rolls the service back automatically" : "automatic rollback is off for this service: a breach is reported"}`,
  });
  await scheduleCheck(tx, runId, plan.firstCheckAt);
}

export type CheckOutcome = "rescheduled" | "concluded" | "rolled-back" | "not-verifying";

/** Checks that keep throwing (a broken setting, a failing database) stop this long after the window. */
const GIVE_UP_AFTER_MS = 10 * 60_000;

type DbClient = Pick<DbTx, "deploymentRun">;

/**
 * What the window watches is gone once a later deploy or rollback moved traffic. A later run that
 * is still going, or failed before switching, leaves this version serving: it stays watched.
 */
async function laterRuns(client: DbClient, run: { serviceId: string; environmentId: string; createdAt: Date }) {
  const later = await client.deploymentRun.findMany({
    where: {
      serviceId: run.serviceId,
      environmentId: run.environmentId,
      kind: { in: ["DEPLOY", "ROLLBACK"] },
      dryRun: false,
      createdAt: { gt: run.createdAt },
    },
    orderBy: { createdAt: "asc" },
    include: { requestedBy: { select: { name: true } } },
  });
  const switched = later.find((r) => r.trafficSwitchedAt !== null);
  const active = later.find((r) => isActiveRunStatus(r.status));
  const who = (r: (typeof later)[number]) =>
    `a ${humanize(r.kind)}${r.requestedBy ? ` by ${r.requestedBy.name}` : r.kind === "ROLLBACK" ? " (automatic)" : ""}`;
  return {
    replaced: switched ? `${who(switched)} replaced this version before its window ended` : null,
    inProgress: active ? `${who(active)} is in progress` : null,
  };
}

/**
 * One check of a deploy's verification window, run by the job queue: judges the SLIs of the
 * new version since traffic reached it, rolls back on a breach, and concludes when the window
 * ends. Every change of state is guarded by the run still being VERIFYING, so a check run twice
 * (a retried job, two workers) acts once.
 */
export async function checkVerification(
  runId: string,
  analysis: SliAnalysis | undefined,
  now: () => Date = () => new Date(),
): Promise<CheckOutcome> {
  const run = await db.deploymentRun.findUnique({
    where: { id: runId },
    include: { service: { include: { targets: true } }, environment: true },
  });
  if (!run || run.verification !== "VERIFYING") return "not-verifying";
  const until = run.verifyUntil?.getTime() ?? 0;
  if (now().getTime() > until + GIVE_UP_AFTER_MS)
    return conclude(runId, "UNVERIFIED", "the checks kept failing and the window is long over; it was not rolled back");
  const row = run.service.targets.find((t) => t.environmentId === run.environmentId);
  if (!row)
    return conclude(runId, "UNVERIFIED", `${run.service.name} no longer has a target in ${run.environment.name}`);
  if (!analysis?.evaluateLive)
    return conclude(runId, "UNVERIFIED", "this worker has no Prometheus configured, so nothing could be judged");

  const later = await laterRuns(db, run);
  if (later.replaced) return conclude(runId, "SUPERSEDED", later.replaced);

  const switchedAt = (run.trafficSwitchedAt ?? run.finishedAt ?? run.updatedAt).getTime();
  const minWindow = analysis.minWindowSeconds ?? DEFAULT_MIN_WINDOW_SECONDS;
  const interval = analysis.intervalMs ?? DEFAULT_ANALYSIS_INTERVAL_MS;
  const elapsedSeconds = (now().getTime() - switchedAt) / 1000;
  // Judging before a whole window has passed since the switch would mix in the old version.
  if (elapsedSeconds < minWindow) return reschedule(runId, new Date(switchedAt + minWindow * 1000));

  const target = deployTarget(row, run.service.name);
  // Blue-green: the colour traffic went to, so the idle old colour cannot water the numbers down.
  const state = (run.state ?? {}) as RunState & { verifyVerdict?: string };
  const labels = run.strategy === "BLUE_GREEN" && state.idleColor ? { [target.colorLabelKey]: state.idleColor } : {};
  let verdict = await analysis.evaluateLive(target, Math.min(elapsedSeconds, MAX_CHECK_WINDOW_SECONDS), labels);
  // A quiet service never fills the trailing window: judge everything since the switch instead.
  if (verdict.verdict === "inconclusive" && elapsedSeconds > MAX_CHECK_WINDOW_SECONDS)
    verdict = await analysis.evaluateLive(target, elapsedSeconds, labels);
  if (verdict.verdict === "fail") return breach(run.id, verdict, new Date(now().getTime() + interval));
  if (verdict.verdict !== state.verifyVerdict) await noteVerdict(runId, verdict);
  if (now().getTime() >= until) {
    return verdict.verdict === "pass"
      ? conclude(runId, "VERIFIED", `verified: ${verdict.summary}`)
      : conclude(
          runId,
          "UNVERIFIED",
          `the window ended without a verdict (${verdict.summary}); it was not rolled back`,
        );
  }
  return reschedule(runId, new Date(Math.min(until, now().getTime() + interval)), verdict.summary);
}

async function reschedule(runId: string, at: Date, note?: string): Promise<CheckOutcome> {
  await db.$transaction(async (tx) => {
    // updated_at doubles as the check heartbeat the sweeper watches.
    const still = await tx.deploymentRun.updateMany({
      where: { id: runId, verification: "VERIFYING" },
      data: { updatedAt: new Date(), ...(note ? { verificationNote: `last check: ${note}` } : {}) },
    });
    if (still.count === 1) await scheduleCheck(tx, runId, at);
  });
  return "rescheduled";
}

/** An event when the verdict changes (not on every check), so the run's history stays readable. */
async function noteVerdict(runId: string, verdict: AnalysisVerdict): Promise<void> {
  await db.$transaction(async (tx) => {
    const changed =
      await tx.$executeRaw`update deployment_runs set state = jsonb_set(state, '{verifyVerdict}', to_jsonb(${verdict.verdict}::text)) where id = ${runId} and verification = 'VERIFYING'`;
    if (changed === 1)
      await appendRunEvent(tx, runId, {
        step: STEP,
        phase: "INFO",
        message: `${verdict.verdict === "pass" ? "SLIs within their limits" : "no verdict yet"}: ${verdict.summary}`,
        response: verdict.measurements,
      });
  });
}

async function conclude(
  runId: string,
  status: Exclude<VerificationStatus, "VERIFYING" | "BREACHED">,
  note: string,
): Promise<CheckOutcome> {
  const concluded = await db.$transaction(async (tx) => {
    const changed = await tx.deploymentRun.updateMany({
      where: { id: runId, verification: "VERIFYING" },
      data: { verification: status, verificationNote: note },
    });
    if (changed.count === 0) return null;
    // Unverified is a warning people must see: nothing judged this version.
    await appendRunEvent(tx, runId, {
      step: STEP,
      phase: status === "VERIFIED" ? "AFTER" : status === "UNVERIFIED" ? "ERROR" : "INFO",
      message: note,
    });
    return tx.deploymentRun.findUniqueOrThrow({ where: { id: runId }, include: { service: true, environment: true } });
  });
  if (concluded && status === "UNVERIFIED")
    void notifyRollback(
      concluded.releaseId,
      `${concluded.service.displayName} in ${concluded.environment.displayName} (${concluded.toImage}) could not be verified: ${note}`,
    );
  return "concluded";
}

/**
 * A breach: the deploy is marked, and unless the target turned it off, a rollback run is queued,
 * an incident opened and the reason recorded, all in one transaction. While another deploy or
 * rollback is in progress nothing is started (PostgreSQL's unique index would refuse it anyway):
 * the check comes back, and either that run replaced the version or the breach is acted on then.
 */
async function breach(runId: string, verdict: AnalysisVerdict, retryAt: Date): Promise<CheckOutcome> {
  const why = verdict.summary;
  type Result =
    | { kind: "rolled-back"; run: { releaseId: string | null; service: string; environment: string }; incident: number }
    | { kind: "superseded"; note: string }
    | { kind: "deferred"; note: string }
    | { kind: "recorded" };
  let result: Result;
  try {
    result = await db.$transaction(async (tx): Promise<Result> => {
      // Locked, then asked again: a person's rollback may have landed while Prometheus answered.
      const locked = await tx.$queryRaw<
        { verification: string | null }[]
      >`select verification from deployment_runs where id = ${runId} for update`;
      if (locked[0]?.verification !== "VERIFYING") return { kind: "recorded" };
      const run = await tx.deploymentRun.findUniqueOrThrow({
        where: { id: runId },
        include: { service: { include: { targets: true } }, environment: true },
      });
      const later = await laterRuns(tx, run);
      if (later.replaced) return { kind: "superseded", note: later.replaced };
      if (later.inProgress)
        return { kind: "deferred", note: `breach seen (${why}), but ${later.inProgress}; checking again` };
      const row = run.service.targets.find((t) => t.environmentId === run.environmentId)!;
      await tx.deploymentRun.update({
        where: { id: runId },
        data: { verification: "BREACHED", verificationNote: `breach: ${why}` },
      });
      // Incidents already open on the service hear of it before the rollback's own incident opens.
      await recordRunActivity(tx, run, { type: "sli-breach", why });
      if (!row.autoRollback) {
        await appendRunEvent(tx, runId, {
          step: STEP,
          phase: "ERROR",
          message: `breach: ${why}. Automatic rollback is off for this service; roll back from the service page if users are hurt.`,
          response: verdict.measurements,
        });
        return { kind: "recorded" };
      }
      // The breached version is what the rollback undoes; it goes to the newest good version before it.
      const history = await rollbackHistory(run.serviceId, run.environmentId, tx);
      const { candidates } = rollbackCandidates([...history, { ...run, verification: "BREACHED" }]);
      const choice = chooseRollbackImage(candidates, [run.toImage ?? undefined]);
      const rollbackInput = {
        serviceId: run.serviceId,
        environmentId: run.environmentId,
        strategy: run.strategy,
        reason: `Automatic rollback: ${run.toImage ?? "the new version"} breached its SLIs after the deploy: ${why}`,
        candidates,
        rollbackTo: choice.image,
        // Only the breached version is rolled back: if something else is live by then, nothing is.
        expectLiveImage: run.toImage,
        releaseId: run.releaseId,
        requestedById: null,
        deadlineSeconds: runDeadlineSeconds(run.strategy, "ROLLBACK", row),
      };
      const created = await createRollbackRun(tx, rollbackInput);
      await recordRunActivity(tx, rollbackActivityRun(created.id, rollbackInput), { type: "started" });
      await appendRunEvent(tx, runId, {
        step: STEP,
        phase: "ERROR",
        message: `breach: ${why}. Rolling back automatically (run ${created.id}).`,
        response: verdict.measurements,
      });
      const incident = await openAutoRollbackIncident(tx, {
        serviceId: run.serviceId,
        environmentId: run.environmentId,
        serviceName: run.service.displayName,
        environmentName: run.environment.displayName,
        userFacing: run.environment.requiresApproval,
        deployRunId: run.id,
        rollbackRunId: created.id,
        releaseId: run.releaseId,
        image: run.toImage,
        why,
      });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "run.auto_rollback",
        targetType: "run",
        targetId: created.id,
        after: { deployRunId: run.id, incident: incident.number, why },
      });
      return {
        kind: "rolled-back",
        run: { releaseId: run.releaseId, service: run.service.displayName, environment: run.environment.displayName },
        incident: incident.number,
      };
    });
  } catch (error) {
    // Someone started a deploy or rollback in the same instant: treated like one in progress.
    if (!isActiveRunConflict(error)) throw error;
    result = {
      kind: "deferred",
      note: `breach seen (${why}), but another run started at the same moment; checking again`,
    };
  }
  if (result.kind === "superseded") return conclude(runId, "SUPERSEDED", result.note);
  if (result.kind === "deferred") {
    log.warn({ runId }, "verification breach while another run is in progress; checking again");
    return reschedule(runId, retryAt, result.note);
  }
  if (result.kind === "rolled-back") {
    void notifyRollback(
      result.run.releaseId,
      `${result.run.service} in ${result.run.environment} is being rolled back automatically: ${why} (INC-${result.incident})`,
    );
    return "rolled-back";
  }
  return "concluded";
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
