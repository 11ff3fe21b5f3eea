import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { releaseGate } from "@/lib/approvals/gate";
import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { noAnalysis, type SliAnalysis } from "@/lib/deploy/analysis";
import { planFor } from "@/lib/deploy/plan";
import { recordStep } from "@/lib/deploy/run-store";
import { canaryAbort } from "@/lib/deploy/strategies/canary";
import { deployTarget } from "@/lib/deploy/targets";
import { beginVerification, verificationPlan, type VerificationPlan } from "@/lib/deploy/verification";
import { openAutoRollbackIncident, recordRollbackOutcome } from "@/lib/incidents/auto-rollback";
import type { RunState, Step, StepContext, StepResult, Stopping } from "@/lib/deploy/types";
import type { Prisma, RunStatus } from "@/lib/generated/prisma/client";
import { gatewayFor, type ClusterGateway } from "@/lib/k8s/gateway";
import { log } from "@/lib/log";
import { notifyRelease } from "@/lib/notifications/slack";

export interface EngineOptions {
  workerId: string;
  signal?: AbortSignal;
  analysis?: SliAnalysis;
  gateway?: (cluster: string) => ClusterGateway;
  leaseMs?: number;
  now?: () => Date;
}

export type EngineOutcome = "finished" | "paused" | "interrupted" | "not-mine";

/** How long an abort may take after a run's deadline passed: stopping a canary must not be cut short. */
const ABORT_GRACE_MS = 120_000;
const DONE = "done";

function json(value: unknown): Prisma.InputJsonValue | undefined {
  if (value && typeof value === "object" && "control" in value) {
    const { control: _control, ...rest } = value as RunState;
    value = rest;
  }
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}

/**
 * Takes the run's lease when nobody holds it or its holder stopped renewing it. The lease token
 * is unique per execution, so even the same worker cannot execute one run twice at once.
 */
async function acquireLease(runId: string, token: string, leaseMs: number): Promise<boolean> {
  const taken = await db.$executeRaw`
    update deployment_runs
       set lease_owner = ${token},
           lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}),
           status = case when status = 'QUEUED' then 'RUNNING'::"RunStatus" else status end,
           started_at = coalesce(started_at, now()),
           updated_at = now()
     where id = ${runId}
       and status in ('QUEUED', 'RUNNING')
       and (lease_owner is null or lease_expires_at < now())`;
  return taken === 1;
}

/** Renews the lease on a timer, independent of how long a step takes. */
function heartbeat(runId: string, token: string, leaseMs: number): { stop(): void; lost(): boolean } {
  let lost = false;
  const timer = setInterval(() => {
    db.$executeRaw`update deployment_runs set lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}) where id = ${runId} and lease_owner = ${token}`
      .then((renewed) => {
        if (renewed === 0) lost = true;
      })
      .catch((error) => log.warn({ err: error, runId }, "lease renewal failed"));
  }, Math.max(200, Math.floor(leaseMs / 3)));
  timer.unref();
  return { stop: () => clearInterval(timer), lost: () => lost };
}

/**
 * Executes a run step by step. Every step is written as an event before it is taken and after
 * (with what was sent and what the cluster answered); the step and the run state are persisted
 * after each, so a worker that picks the run up after a crash resumes at the step it was in.
 * Steps are idempotent, so re-running the interrupted one converges on the same cluster state.
 * Every write is made as the lease holder: a worker that lost its lease changes nothing.
 */
export async function executeRun(runId: string, options: EngineOptions): Promise<EngineOutcome> {
  const leaseMs = options.leaseMs ?? 15_000;
  const now = options.now ?? (() => new Date());
  const token = `${options.workerId}#${randomBytes(4).toString("hex")}`;
  if (!(await acquireLease(runId, token, leaseMs))) return "not-mine";
  const beat = heartbeat(runId, token, leaseMs);
  try {
    return await execute(runId, token, leaseMs, now, beat, options);
  } finally {
    beat.stop();
  }
}

async function execute(runId: string, token: string, leaseMs: number, now: () => Date, beat: { lost(): boolean }, options: EngineOptions): Promise<EngineOutcome> {
  const run = await db.deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { service: { include: { targets: true } }, environment: true },
  });
  const row = run.service.targets.find((t) => t.environmentId === run.environmentId);
  let seq = (await db.runEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0;
  const event = async (step: string, phase: "BEFORE" | "AFTER" | "INFO" | "ERROR", message: string, exchange: { request?: unknown; response?: unknown } = {}) => {
    seq += 1;
    const seen = await recordStep(runId, token, { event: { seq, step, phase, message, request: exchange.request, response: exchange.response } });
    return seen.owned;
  };
  // A rolling or blue-green deploy that succeeds goes on being watched on its SLIs.
  const verify = () => (row ? verificationPlan(run, row, options.analysis, now()) : null);
  const finish = (status: RunStatus, outcome: string, releaseStatus?: "PENDING", breach?: BreachOutcome) =>
    finishRun(runId, token, status, outcome, { releaseStatus, verify: status === "SUCCEEDED" ? verify() : null, autoRollback: row?.autoRollback ?? true, breach });
  // A canary its analysis failed: an incident either way, mitigated only if the canary is gone.
  const breachOf = (stopped: Stopping | null, mitigated: boolean): BreachOutcome | undefined => (stopped?.breach ? { why: stopped.breach, mitigated } : undefined);

  if (!row) {
    await event("plan", "ERROR", `${run.service.name} has no target in ${run.environment.name}`);
    return finish("FAILED", `${run.service.name} has no target in ${run.environment.name}`);
  }
  // Everything was done before the previous worker stopped: only the final state is missing.
  if (run.currentStep === DONE) {
    const saved = (run.state ?? {}) as RunState;
    return saved.stopping ? finish(saved.stopping.status, stoppedOutcome(saved.stopping), undefined, breachOf(saved.stopping, true)) : finish("SUCCEEDED", completedOutcome(run.kind, saved, run.toImage));
  }

  const target = deployTarget(row, run.service.name);
  let gateway: ClusterGateway;
  try {
    gateway = (options.gateway ?? gatewayFor)(target.cluster);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await event("plan", "ERROR", message);
    return finish("FAILED", message);
  }

  let state: RunState = { ...((run.state ?? {}) as RunState), control: (run.controlRequest as RunState["control"]) ?? undefined };
  const previousImage = run.kind === "ROLLBACK" && run.strategy === "CANARY" ? await lastStableImage(run.serviceId, run.environmentId) : undefined;
  let plan: Step[] = planFor(run.kind, run.strategy, { analysis: options.analysis ?? noAnalysis, previousImage });
  // A canary that is being stopped (asked to abort, or failing) runs the abort plan to the end.
  // It is kept in the run state, so a worker that resumes the run finishes the same way.
  let stopping: Stopping | null = state.stopping ?? null;
  const stopCanary = (status: "ABORTED" | "FAILED", outcome: string, whenStopped: string, breach?: string) => {
    stopping = { status, outcome, whenStopped, ...(breach ? { breach } : {}) };
    state = { ...state, stopping };
    plan = canaryAbort;
  };
  if (stopping) plan = canaryAbort;
  else if (state.control === "abort" && run.kind === "DEPLOY") stopCanary("ABORTED", "canary aborted", "all traffic on the stable Deployment");
  const canStopCanary = run.kind === "DEPLOY" && run.strategy === "CANARY";

  let index = Math.max(0, plan.findIndex((s) => s.name === run.currentStep));
  const context: StepContext = { gateway, target, image: run.toImage ?? "", dryRun: false, now };
  let lastMessage = "";
  let entered = run.currentStep === plan[index]?.name ? plan[index]?.name : undefined;

  // The gate is asked again right before a deploy first touches the cluster: approvals may have
  // been withdrawn, a freeze may have begun, or the release may have a new revision since the click.
  if (run.kind === "DEPLOY" && run.releaseId && !stopping && (run.currentStep === null || run.currentStep === plan[0]?.name)) {
    const gate = await releaseGate(run.releaseId, { ignoreRunId: run.id });
    const problems = gate.revision !== run.revision ? [`the release is now at revision ${gate.revision}, not ${run.revision}`] : gate.unmet.map((u) => u.message);
    if (problems.length > 0) {
      const message = `the gate turned red before the deploy touched the cluster: ${problems.join("; ")}`;
      await event("gate", "ERROR", message);
      return finish("FAILED", message, "PENDING");
    }
    await event("gate", "INFO", gate.warnings.length > 0 ? `gate is green: every condition it could check is met (${gate.warnings.join("; ")})` : "gate is green: every condition met");
  }
  if (run.startedAt && run.currentStep) await event(plan[index]?.name ?? "resume", "INFO", `resumed by worker ${options.workerId} at step ${plan[index]?.name}`);

  let control: RunState["control"] = state.control;
  let persistedSummary = JSON.stringify({ fromImage: run.fromImage, toImage: run.toImage, rollbackTarget: run.rollbackTarget });
  while (index < plan.length) {
    if (options.signal?.aborted) {
      await db.deploymentRun.updateMany({ where: { id: runId, leaseOwner: token }, data: { leaseOwner: null, leaseExpiresAt: null } });
      return "interrupted";
    }
    if (beat.lost()) return "not-mine";
    const deadline = run.deadlineAt ? run.deadlineAt.getTime() + (stopping ? ABORT_GRACE_MS : 0) : Infinity;
    if (now().getTime() > deadline) {
      const message = `deadline passed during ${plan[index].name}${lastMessage ? `: ${lastMessage}` : ""}`;
      await event(plan[index].name, "ERROR", message);
      if (canStopCanary && !stopping) {
        stopCanary("FAILED", message, "the canary was scaled to zero");
        ({ index, entered, lastMessage } = { index: 0, entered: undefined, lastMessage: "" });
        continue;
      }
      const stopped = stopping as Stopping | null;
      return finish(stopped?.status === "ABORTED" ? "ABORTED" : "FAILED", stopped ? `${stopped.outcome}; then ${message}` : message, undefined, breachOf(stopped, false));
    }
    if (control !== state.control) {
      state = { ...state, control };
      if (control === "abort" && !stopping) {
        await event("abort", "INFO", "abort requested: scaling the canary to zero");
        stopCanary("ABORTED", "canary aborted", "all traffic on the stable Deployment");
        ({ index, entered, lastMessage } = { index: 0, entered: undefined, lastMessage: "" });
        continue;
      }
    }

    const step = plan[index];
    if (entered !== step.name) {
      seq += 1;
      // The state goes with it: a canary being stopped must resume stopping, not deploying.
      const seen = await recordStep(runId, token, { event: { seq, step: step.name, phase: "BEFORE", message: `starting ${step.name}` }, currentStep: step.name, state });
      if (!seen.owned) return "not-mine";
      control = seen.control;
      entered = step.name;
    }
    let result: StepResult;
    try {
      result = await step.run(context, state);
    } catch (error) {
      log.error({ err: error, runId, step: step.name }, "step threw");
      result = { status: "failed", message: `${step.name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` };
    }
    if ("state" in result && result.state) state = { ...state, ...result.state };

    if (result.status === "waiting") {
      const changed = result.message !== lastMessage;
      if (changed) seq += 1;
      const seen = await recordStep(runId, token, {
        event: changed ? { seq, step: step.name, phase: "INFO", message: result.message, request: result.request, response: result.response } : undefined,
        state,
        renewLeaseMs: leaseMs,
      });
      if (!seen.owned) return "not-mine";
      control = seen.control;
      lastMessage = result.message;
      if (result.retryInMs > 0) await sleep(result.retryInMs, undefined, { signal: options.signal }).catch(() => {});
      continue;
    }
    if (result.status === "failed") {
      seq += 1;
      const seen = await recordStep(runId, token, { event: { seq, step: step.name, phase: "ERROR", message: result.message, request: result.request, response: result.response }, state });
      if (!seen.owned) return "not-mine";
      if (canStopCanary && !stopping) {
        // A failing canary must not keep its share of traffic.
        stopCanary("FAILED", result.message, "the canary was scaled to zero", result.breach ? result.message : undefined);
        ({ index, entered, lastMessage } = { index: 0, entered: undefined, lastMessage: "" });
        continue;
      }
      const stopped = stopping as Stopping | null;
      return finish("FAILED", stopped ? `${stopped.outcome}; then stopping the canary failed: ${result.message}` : result.message, undefined, breachOf(stopped, false));
    }
    if (result.status === "paused") {
      seq += 1;
      // Paused only if nobody asked for promote or abort meanwhile; otherwise carry that out now.
      const paused = await db.$executeRaw`
        with event as (
          insert into run_events (run_id, seq, step, phase, message) select ${runId}, ${seq}, ${step.name}, 'INFO'::"RunEventPhase", ${result.message}
           where exists (select 1 from deployment_runs where id = ${runId} and lease_owner = ${token} and control_request is null)
        )
        update deployment_runs set status = 'PAUSED'::"RunStatus", state = ${JSON.stringify(json(state) ?? {})}::jsonb, lease_owner = null, lease_expires_at = null, updated_at = now()
         where id = ${runId} and lease_owner = ${token} and control_request is null`;
      if (paused === 1) return "paused";
      const fresh = await db.deploymentRun.findUnique({ where: { id: runId }, select: { controlRequest: true, leaseOwner: true } });
      if (fresh?.leaseOwner !== token) return "not-mine";
      control = (fresh.controlRequest as RunState["control"]) ?? undefined;
      continue;
    }
    seq += 1;
    lastMessage = "";
    index += 1;
    const seen = await recordStep(runId, token, {
      event: { seq, step: step.name, phase: "AFTER", message: result.message, request: result.request, response: result.response },
      state,
      currentStep: plan[index]?.name ?? DONE,
      trafficSwitched: result.trafficSwitched === true,
      renewLeaseMs: leaseMs,
    });
    if (!seen.owned) return "not-mine";
    control = seen.control;
    // The images and rollback target are columns for the pages; write them when they change.
    const summary = { fromImage: run.fromImage ?? state.fromImage ?? null, toImage: run.kind === "ROLLBACK" ? (state.toImage ?? null) : run.toImage, rollbackTarget: state.rollbackTarget ?? null };
    if (JSON.stringify(summary) !== persistedSummary) {
      persistedSummary = JSON.stringify(summary);
      await db.deploymentRun.updateMany({ where: { id: runId, leaseOwner: token }, data: { fromImage: summary.fromImage, toImage: summary.toImage, rollbackTarget: json(summary.rollbackTarget) } });
    }
  }

  const stopped = stopping as Stopping | null;
  if (stopped) return finish(stopped.status, stoppedOutcome(stopped), undefined, breachOf(stopped, true));
  return finish("SUCCEEDED", completedOutcome(run.kind, state, run.toImage));
}

/** How a stopped canary ended; runs persisted before `whenStopped` existed carry it in `outcome`. */
function stoppedOutcome(stopping: Stopping): string {
  return stopping.whenStopped ? `${stopping.outcome}; ${stopping.whenStopped}` : stopping.outcome;
}

function completedOutcome(kind: string, state: RunState, toImage: string | null): string {
  return kind === "ROLLBACK" ? `rolled back to ${state.toImage ?? "the previous version"}` : `${toImage} is live`;
}

/** The stable image before the most recent successful canary deploy (what a rollback restores). */
async function lastStableImage(serviceId: string, environmentId: string): Promise<string | undefined> {
  const last = await db.deploymentRun.findFirst({
    where: { serviceId, environmentId, kind: "DEPLOY", status: "SUCCEEDED" },
    orderBy: { finishedAt: "desc" },
    select: { rollbackTarget: true, fromImage: true },
  });
  const target = last?.rollbackTarget as { image?: string } | null;
  return target?.image ?? last?.fromImage ?? undefined;
}

/**
 * Puts the run in its final state and moves its release along, once, and only as the lease
 * holder: a worker that lost the run cannot end it.
 */
interface FinishOptions {
  releaseStatus?: "PENDING";
  verify: VerificationPlan | null;
  autoRollback: boolean;
  /** A canary stopped by its analysis: an automatic rollback, which opens an incident. */
  breach?: BreachOutcome;
}

interface BreachOutcome {
  why: string;
  /** Whether the canary was scaled to zero (else it may still take traffic). */
  mitigated: boolean;
}

async function finishRun(runId: string, token: string, status: RunStatus, outcome: string, options: FinishOptions): Promise<EngineOutcome> {
  const finished = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ lease_owner: string | null }[]>`select lease_owner from deployment_runs where id = ${runId} for update`;
    if (locked[0]?.lease_owner !== token) return null;
    const run = await tx.deploymentRun.findUniqueOrThrow({ where: { id: runId } });
    const seq = ((await tx.runEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
    await tx.runEvent.create({ data: { runId, seq, step: "finish", phase: status === "SUCCEEDED" ? "AFTER" : "ERROR", message: `${status.toLowerCase().replace("_", " ")}: ${outcome}` } });
    await tx.deploymentRun.update({ where: { id: runId }, data: { status, outcome, currentStep: DONE, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null } });
    if (run.kind === "DEPLOY" && run.releaseId) {
      await tx.release.update({
        where: { id: run.releaseId },
        data: status === "SUCCEEDED" ? { status: "DEPLOYED", deployedAt: new Date() } : { status: options.releaseStatus ?? "FAILED" },
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
    if (run.kind === "ROLLBACK") await recordRollbackOutcome(tx, runId, status === "SUCCEEDED", outcome);
    if (options.breach && run.kind === "DEPLOY") {
      const context = await tx.deploymentRun.findUniqueOrThrow({ where: { id: runId }, select: { service: true, environment: true } });
      await openAutoRollbackIncident(tx, {
        serviceId: run.serviceId,
        environmentId: run.environmentId,
        serviceName: context.service.displayName,
        environmentName: context.environment.displayName,
        userFacing: context.environment.requiresApproval,
        deployRunId: runId,
        rollbackRunId: runId,
        image: run.toImage,
        why: options.breach.why,
        remedy: options.breach.mitigated ? `Greenlight scaled the canary to zero: ${outcome}` : `Greenlight could not finish scaling the canary to zero, check it now: ${outcome}`,
        mitigated: options.breach.mitigated,
      });
    }
    if (options.verify) await beginVerification(tx, runId, options.verify, options.autoRollback);
    await recordAudit(tx, SYSTEM_ACTOR, { action: "run.finish", targetType: "run", targetId: runId, before: { status: run.status }, after: { status, outcome } });
    return run;
  });
  if (!finished) return "not-mine";
  if (status === "SUCCEEDED" && finished.kind === "DEPLOY" && finished.releaseId) void notifyRelease(finished.releaseId, "deployed");
  return "finished";
}
