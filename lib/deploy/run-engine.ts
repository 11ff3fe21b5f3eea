import { setTimeout as sleep } from "node:timers/promises";
import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { noAnalysis, type CanaryAnalysis } from "@/lib/deploy/analysis";
import { planFor } from "@/lib/deploy/plan";
import { canaryAbort } from "@/lib/deploy/strategies/canary";
import { releaseGate } from "@/lib/approvals/gate";
import { recordStep } from "@/lib/deploy/run-store";
import { notifyRelease } from "@/lib/notifications/slack";
import { deployTarget } from "@/lib/deploy/targets";
import type { RunState, Step, StepContext, StepResult } from "@/lib/deploy/types";
import type { Prisma, RunStatus } from "@/lib/generated/prisma/client";
import { gatewayFor, type ClusterGateway } from "@/lib/k8s/gateway";
import { log } from "@/lib/log";

export interface EngineOptions {
  workerId: string;
  signal?: AbortSignal;
  analysis?: CanaryAnalysis;
  gateway?: (cluster: string) => ClusterGateway;
  leaseMs?: number;
  now?: () => Date;
}

export type EngineOutcome = "finished" | "paused" | "interrupted" | "not-mine";

const FINAL: RunStatus[] = ["SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK"];

function json(value: unknown): Prisma.InputJsonValue | undefined {
  if (value && typeof value === "object" && "control" in value) {
    const { control: _control, ...rest } = value as RunState;
    value = rest;
  }
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}

/** Takes the run's lease when nobody holds it (or its holder stopped renewing it). */
async function acquireLease(runId: string, workerId: string, leaseMs: number): Promise<boolean> {
  const taken = await db.$executeRaw`
    update deployment_runs
       set lease_owner = ${workerId},
           lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}),
           status = case when status = 'QUEUED' then 'RUNNING'::"RunStatus" else status end,
           started_at = coalesce(started_at, now()),
           updated_at = now()
     where id = ${runId}
       and status in ('QUEUED', 'RUNNING')
       and (lease_owner is null or lease_owner = ${workerId} or lease_expires_at < now())`;
  return taken === 1;
}

/**
 * Executes a run step by step. Every step is written as an event before it is taken and after
 * (with what was sent and what the cluster answered); the step and the run state are persisted
 * after each, so a worker that picks the run up after a crash resumes at the step it was in.
 * Steps are idempotent, so re-running the interrupted one converges on the same cluster state.
 */
export async function executeRun(runId: string, options: EngineOptions): Promise<EngineOutcome> {
  const leaseMs = options.leaseMs ?? 15_000;
  const now = options.now ?? (() => new Date());
  if (!(await acquireLease(runId, options.workerId, leaseMs))) return "not-mine";

  const run = await db.deploymentRun.findUniqueOrThrow({
    where: { id: runId },
    include: { service: { include: { targets: true } }, environment: true },
  });
  const row = run.service.targets.find((t) => t.environmentId === run.environmentId);
  let seq = (await db.runEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0;
  const event = async (step: string, phase: "BEFORE" | "AFTER" | "INFO" | "ERROR", message: string, exchange: { request?: unknown; response?: unknown } = {}) => {
    seq += 1;
    await db.runEvent.create({ data: { runId, seq, step, phase, message, request: json(exchange.request), response: json(exchange.response) } });
  };
  const finish = async (status: RunStatus, outcome: string) => finishRun(runId, status, outcome, event);

  if (!row) {
    await event("plan", "ERROR", `${run.service.name} has no target in ${run.environment.name}`);
    await finish("FAILED", `${run.service.name} has no target in ${run.environment.name}`);
    return "finished";
  }
  const target = deployTarget(row, run.service.name);
  let gateway: ClusterGateway;
  try {
    gateway = (options.gateway ?? gatewayFor)(target.cluster);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await event("plan", "ERROR", message);
    await finish("FAILED", message);
    return "finished";
  }

  let state: RunState = { ...((run.state ?? {}) as RunState), control: (run.controlRequest as RunState["control"]) ?? undefined };
  const previousImage = run.kind === "ROLLBACK" && run.strategy === "CANARY" ? await lastStableImage(run.serviceId, run.environmentId) : undefined;
  let plan: Step[] = planFor(run.kind, run.strategy, { analysis: options.analysis ?? noAnalysis, previousImage });
  let aborting = false;
  if (state.control === "abort" && run.kind === "DEPLOY") {
    plan = canaryAbort;
    aborting = true;
  }
  let index = Math.max(0, plan.findIndex((s) => s.name === run.currentStep));
  const context: StepContext = { gateway, target, image: run.toImage ?? "", dryRun: false, now };
  let lastMessage = "";
  let entered = run.currentStep === plan[index]?.name ? plan[index]?.name : undefined;

  // The gate is asked again right before a deploy first touches the cluster: approvals may have
  // been withdrawn, a freeze may have begun, or the release may have a new revision since the click.
  if (run.kind === "DEPLOY" && run.releaseId && (run.currentStep === null || run.currentStep === plan[0]?.name)) {
    const gate = await releaseGate(run.releaseId, { ignoreRunId: run.id });
    const problems = gate.revision !== run.revision ? [`the release is now at revision ${gate.revision}, not ${run.revision}`] : gate.unmet.map((u) => u.message);
    if (problems.length > 0) {
      const message = `the gate turned red before the deploy touched the cluster: ${problems.join("; ")}`;
      await event("gate", "ERROR", message);
      await finishRun(runId, "FAILED", message, event, { releaseStatus: "PENDING" });
      return "finished";
    }
    await event("gate", "INFO", "gate is green: every condition met");
  }

  if (run.startedAt && run.currentStep) await event(plan[index]?.name ?? "resume", "INFO", `resumed by worker ${options.workerId} at step ${plan[index]?.name}`);

  // What a person asked of the run (promote / abort), as last seen in the database.
  let control: RunState["control"] = state.control;
  let persistedSummary = JSON.stringify({ fromImage: run.fromImage, toImage: run.toImage, rollbackTarget: run.rollbackTarget });
  while (index < plan.length) {
    if (options.signal?.aborted) {
      await db.deploymentRun.updateMany({ where: { id: runId, leaseOwner: options.workerId }, data: { leaseOwner: null, leaseExpiresAt: null } });
      return "interrupted";
    }
    if (run.deadlineAt && now() > run.deadlineAt) {
      const message = `deadline passed during ${plan[index].name}${lastMessage ? `: ${lastMessage}` : ""}`;
      await event(plan[index].name, "ERROR", message);
      await finish(aborting ? "ABORTED" : "FAILED", message);
      return "finished";
    }
    if (control !== state.control) {
      state = { ...state, control };
      if (control === "abort" && !aborting) {
        await event("abort", "INFO", "abort requested: scaling the canary to zero");
        plan = canaryAbort;
        aborting = true;
        index = 0;
        entered = undefined;
        continue;
      }
    }

    const step = plan[index];
    if (entered !== step.name) {
      seq += 1;
      const seen = await recordStep(runId, options.workerId, { event: { seq, step: step.name, phase: "BEFORE", message: `starting ${step.name}` }, currentStep: step.name });
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
      const seen = await recordStep(runId, options.workerId, {
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
      await recordStep(runId, options.workerId, { event: { seq, step: step.name, phase: "ERROR", message: result.message, request: result.request, response: result.response }, state });
      await finish(aborting ? "ABORTED" : "FAILED", result.message);
      return "finished";
    }
    if (result.status === "paused") {
      await event(step.name, "INFO", result.message, result);
      await db.deploymentRun.update({ where: { id: runId }, data: { status: "PAUSED", state: json(state), leaseOwner: null, leaseExpiresAt: null } });
      return "paused";
    }
    seq += 1;
    lastMessage = "";
    index += 1;
    const seen = await recordStep(runId, options.workerId, {
      event: { seq, step: step.name, phase: "AFTER", message: result.message, request: result.request, response: result.response },
      state,
      currentStep: plan[index]?.name ?? "done",
      trafficSwitched: result.trafficSwitched === true,
      renewLeaseMs: leaseMs,
    });
    if (!seen.owned) return "not-mine";
    control = seen.control;
    // The images and rollback target are columns for the pages; write them when they change.
    const summary = { fromImage: run.fromImage ?? state.fromImage ?? null, toImage: run.kind === "ROLLBACK" ? (state.toImage ?? null) : run.toImage, rollbackTarget: state.rollbackTarget ?? null };
    if (JSON.stringify(summary) !== persistedSummary) {
      persistedSummary = JSON.stringify(summary);
      await db.deploymentRun.update({ where: { id: runId }, data: { fromImage: summary.fromImage, toImage: summary.toImage, rollbackTarget: json(summary.rollbackTarget) } });
    }
  }

  await finish(aborting ? "ABORTED" : "SUCCEEDED", aborting ? "canary aborted; all traffic on the stable Deployment" : run.kind === "ROLLBACK" ? `rolled back to ${state.toImage ?? "the previous version"}` : `${run.toImage} is live`);
  return "finished";
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

/** Puts the run in its final state (once) and moves its release along. */
async function finishRun(
  runId: string,
  status: RunStatus,
  outcome: string,
  event: (step: string, phase: "BEFORE" | "AFTER" | "INFO" | "ERROR", message: string) => Promise<void>,
  options: { releaseStatus?: "PENDING" } = {},
): Promise<void> {
  await db.$transaction(async (tx) => {
    const run = await tx.deploymentRun.findUniqueOrThrow({ where: { id: runId } });
    if (FINAL.includes(run.status)) return;
    await tx.deploymentRun.update({ where: { id: runId }, data: { status, outcome, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null } });
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
    await recordAudit(tx, SYSTEM_ACTOR, { action: "run.finish", targetType: "run", targetId: runId, before: { status: run.status }, after: { status, outcome } });
  });
  await event("finish", status === "SUCCEEDED" ? "AFTER" : "ERROR", `${status.toLowerCase().replace("_", " ")}: ${outcome}`);
  const finished = await db.deploymentRun.findUnique({ where: { id: runId }, select: { kind: true, releaseId: true } });
  if (status === "SUCCEEDED" && finished?.kind === "DEPLOY" && finished.releaseId) void notifyRelease(finished.releaseId, "deployed");
}
