import "server-only";
import { db } from "@/lib/db";
import { liveState } from "@/lib/deploy/live/live-state";
import { ACTIVE_RUN_STATUSES } from "@/lib/deploy/run-status";
import { deployTarget } from "@/lib/deploy/targets";
import type { StrategyName } from "@/lib/deploy/types";
import type { HasRoles } from "@/lib/rbac";
import { eventsFor } from "@/lib/redact/run-events";

/**
 * A run and its step events, for the live progress view. Step bodies (request and response) only
 * for a `viewer` who may read them (lib/redact/run-events.ts), redacted; without one, summaries.
 */
export async function runProgress(runId: string, viewer?: HasRoles | null) {
  const run = await db.deploymentRun.findUnique({
    where: { id: runId },
    include: {
      events: { orderBy: { seq: "asc" }, take: 500 },
      requestedBy: { select: { name: true } },
      service: { select: { name: true, displayName: true } },
      environment: { select: { name: true, displayName: true } },
    },
  });
  if (!run) return null;
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    strategy: run.strategy,
    reason: run.reason,
    outcome: run.outcome,
    fromImage: run.fromImage,
    toImage: run.toImage,
    currentStep: run.currentStep,
    requestedBy: run.requestedBy?.name ?? null,
    service: run.service.displayName,
    environment: run.environment.displayName,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    trafficSwitchedAt: run.trafficSwitchedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    control: run.controlRequest,
    verification: run.verification,
    verifyUntil: run.verifyUntil?.toISOString() ?? null,
    verificationNote: run.verificationNote,
    events: eventsFor(
      viewer,
      run.events.map((e) => ({
        seq: e.seq,
        step: e.step,
        phase: e.phase,
        message: e.message,
        at: e.createdAt.toISOString(),
        request: e.request,
        response: e.response,
      })),
    ),
  };
}

export type RunProgress = NonNullable<Awaited<ReturnType<typeof runProgress>>>;

export type RecentRun = Awaited<ReturnType<typeof recentRuns>>[number];

export function recentRuns(serviceId: string, environmentId?: string, take = 10) {
  return db.deploymentRun.findMany({
    where: { serviceId, ...(environmentId ? { environmentId } : {}) },
    orderBy: { createdAt: "desc" },
    take,
    include: {
      requestedBy: { select: { name: true } },
      environment: { select: { displayName: true } },
      release: { select: { id: true, number: true } },
    },
  });
}

/** The deploy or rollback holding a service's target now, if any (at most one: a unique index). */
export function activeRunFor(serviceId: string, environmentId: string) {
  return db.deploymentRun.findFirst({
    where: { serviceId, environmentId, status: { in: [...ACTIVE_RUN_STATUSES] }, kind: { in: ["DEPLOY", "ROLLBACK"] } },
    select: { id: true, kind: true, status: true, releaseId: true },
  });
}

export type ActiveRun = NonNullable<Awaited<ReturnType<typeof activeRunFor>>>;

/**
 * One environment's live card on the service page: what runs in the cluster, read through the
 * watch cache (lib/k8s/informers.ts) with how fresh it is, and the rollback in progress if any.
 */
export async function liveCard(
  service: { id: string; name: string },
  target: Parameters<typeof deployTarget>[0] & { environmentId: string },
  strategy: StrategyName,
  active: ActiveRun | null,
  mayRollBack: boolean,
) {
  const [state, activeRollback] = await Promise.all([
    liveState(deployTarget(target, service.name), strategy, service.id, target.environmentId),
    mayRollBack && active?.kind === "ROLLBACK" ? runProgress(active.id) : null,
  ]);
  return { state, activeRollback };
}

/** Runs in flight everywhere, for the overview. */
export function countActiveRuns(): Promise<number> {
  return db.deploymentRun.count({ where: { status: { in: [...ACTIVE_RUN_STATUSES] } } });
}

/** The strategy of the last deploy that succeeded on a target: what runs there now. */
export async function lastSucceededDeployStrategy(serviceId: string, environmentId: string) {
  const run = await db.deploymentRun.findFirst({
    where: { serviceId, environmentId, kind: "DEPLOY", status: "SUCCEEDED" },
    orderBy: { finishedAt: "desc" },
    select: { strategy: true },
  });
  return run?.strategy ?? null;
}

/** A release's latest deploy run, whatever became of it. */
export function latestDeployRunOf(releaseId: string) {
  return db.deploymentRun.findFirst({
    where: { releaseId, kind: "DEPLOY" },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
}
