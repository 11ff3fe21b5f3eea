import { randomBytes } from "node:crypto";
import { actorOf, recordAudit, type Actor } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { releaseGate } from "@/lib/approvals/gate";
import { db, type DbTx } from "@/lib/db";
import type { Strategy } from "@/lib/generated/prisma/client";
import { runDeadlineSeconds } from "@/lib/deploy/targets";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { humanize } from "@/lib/format/humanize";
import { recordRunActivity } from "@/lib/incidents/run-activity";
import { DONE } from "@/lib/deploy/engine/machine";
import { ACTIVE_RUN_STATUSES, isActiveRunStatus } from "@/lib/deploy/run-status";
import type { RunRecord } from "@/lib/deploy/rollback/last-good";
import {
  previewRollback,
  rollbackCandidates,
  rollbackHistory,
  type RollbackPreview,
} from "@/lib/deploy/rollback/preview";
import { CANARY_PROMOTING_STEPS } from "@/lib/deploy/strategies/canary";
import { deployTarget } from "@/lib/deploy/targets";
import type { RunState } from "@/lib/deploy/types";
import { gatewayFor as defaultGatewayFor, type ClusterGateway } from "@/lib/k8s/gateway";
import { enqueueRun } from "@/lib/jobs/queue";
import { addJob, rollbackRunJob } from "@/lib/jobs/registry";
import { CANARY_CONTROLS, can, forbiddenMessage, type CanaryControl } from "@/lib/rbac";

export const DEPLOYABLE_STATUSES = ["PENDING", "APPROVED", "FAILED"] as const;

async function inProgressMessage(serviceId: string, environmentId: string): Promise<string> {
  const active = await db.deploymentRun.findFirst({
    where: { serviceId, environmentId, status: { in: [...ACTIVE_RUN_STATUSES] }, kind: { in: ["DEPLOY", "ROLLBACK"] } },
    include: { requestedBy: { select: { name: true } }, service: true, environment: true },
  });
  if (!active) return "A run is already in progress for this service and environment.";
  return `A run is already in progress: ${humanize(active.kind)} of ${active.service.displayName} in ${active.environment.displayName}${active.requestedBy ? `, started by ${active.requestedBy.name}` : ""}.`;
}

/** Thrown inside a transaction that found its release locked; answered once the transaction has ended. */
class ReleaseBusy extends Error {}

/**
 * Turns the unique index's refusal, or a release someone else holds, into the sentence people
 * see; everything else goes on up. The sentence is looked up here, after the transaction gave
 * its connection back: looking it up inside would ask the pool for a second connection while
 * holding one, and a burst of refusals holding every connection then waits on itself.
 */
async function oneActiveRun<T>(serviceId: string, environmentId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isActiveRunConflict(error)) {
      throw new AppError("CONFLICT", await inProgressMessage(serviceId, environmentId));
    }
    if (error instanceof ReleaseBusy) {
      throw new AppError(
        "CONFLICT",
        `${await inProgressMessage(serviceId, environmentId)} (someone is starting or editing this release right now)`,
      );
    }
    throw error;
  }
}

/** Queues a deploy of a release. PostgreSQL lets exactly one active run per target through. */
export async function requestDeploy(user: CurrentUser, releaseId: string) {
  if (!can(user, "release:deploy"))
    throw new AppError("FORBIDDEN", forbiddenMessage("release:deploy", "deploy a release"));
  const release = await db.release.findUnique({
    where: { id: releaseId },
    include: { service: { include: { targets: true } }, environment: true },
  });
  if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
  // The gate is asked here for a clear answer, and again by the job right before it touches the
  // cluster (approvals may be withdrawn in between); PostgreSQL's unique index decides races.
  const gate = await releaseGate(releaseId);
  if (!gate.green) {
    if (gate.unmet.some((u) => u.kind === "run"))
      throw new AppError("CONFLICT", await inProgressMessage(release.serviceId, release.environmentId));
    throw new AppError("CONFLICT", `The gate is not green: ${gate.unmet.map((u) => u.message).join("; ")}.`);
  }
  return oneActiveRun(release.serviceId, release.environmentId, () =>
    db.$transaction(
      async (tx) => {
        // Lock the release without waiting: a concurrent edit or deploy of it is told at once
        // instead of queueing (and holding a connection) behind it.
        try {
          await tx.$queryRaw`select id from releases where id = ${releaseId} for update nowait`;
        } catch (error) {
          if (error instanceof Error && /55P03|could not obtain lock/.test(error.message)) throw new ReleaseBusy();
          throw error;
        }
        const current = await tx.release.findUniqueOrThrow({ where: { id: releaseId } });
        if (!(DEPLOYABLE_STATUSES as readonly string[]).includes(current.status)) {
          throw new AppError(
            "CONFLICT",
            `This release is ${humanize(current.status)}; it cannot be deployed again. Create a new release.`,
          );
        }
        if (current.revision !== gate.revision)
          throw new AppError(
            "CONFLICT",
            `The release changed to revision ${current.revision} a moment ago. Reload and check its sign-offs.`,
          );
        const target = release.service.targets.find((t) => t.environmentId === release.environmentId);
        if (!target)
          throw new AppError(
            "INVALID",
            `${release.service.displayName} is not set up for ${release.environment.displayName}.`,
          );
        const deadline = new Date(Date.now() + runDeadlineSeconds(current.strategy, "DEPLOY", target) * 1000);
        const run = await tx.deploymentRun.create({
          data: {
            kind: "DEPLOY",
            releaseId,
            revision: current.revision,
            serviceId: release.serviceId,
            environmentId: release.environmentId,
            strategy: current.strategy,
            toImage: current.imageRef,
            requestedById: user.id,
            deadlineAt: deadline,
          },
        });
        await tx.release.update({ where: { id: releaseId }, data: { status: "DEPLOYING" } });
        await recordRunActivity(tx, run, { type: "started" });
        await recordAudit(tx, actorOf(user), {
          action: "run.request",
          targetType: "run",
          targetId: run.id,
          after: {
            kind: "DEPLOY",
            releaseId,
            revision: current.revision,
            image: current.imageRef,
            strategy: current.strategy,
          },
        });
        await enqueueRun(tx, run.id, "DEPLOY");
        return run;
      },
      { maxWait: 10_000, timeout: 15_000 },
    ),
  );
}

/**
 * Queues a rollback of a service in an environment. Never gated by approvals, checklists or
 * freezes: getting back to the last good version must always be possible. The version it goes
 * to is derived from the deployment log and the cluster, exactly as the service page previewed
 * it; when there is no good version to go to, it refuses with the page's sentence.
 */
export async function requestRollback(
  user: CurrentUser,
  input: { serviceId: string; environmentId: string; reason: string },
  gatewayFor: (cluster: string) => ClusterGateway = defaultGatewayFor,
) {
  if (!can(user, "service:rollback"))
    throw new AppError("FORBIDDEN", forbiddenMessage("service:rollback", "roll back"));
  // On-call is waiting: the three reads go out together.
  const [row, service, environment, lastDeploy, history] = await Promise.all([
    db.serviceTarget.findUnique({
      where: { serviceId_environmentId: { serviceId: input.serviceId, environmentId: input.environmentId } },
    }),
    db.service.findUnique({ where: { id: input.serviceId }, select: { name: true } }),
    db.environment.findUnique({ where: { id: input.environmentId }, select: { name: true } }),
    db.deploymentRun.findFirst({
      where: { serviceId: input.serviceId, environmentId: input.environmentId, kind: "DEPLOY", status: "SUCCEEDED" },
      orderBy: { finishedAt: "desc" },
      select: { strategy: true, releaseId: true },
    }),
    rollbackHistory(input.serviceId, input.environmentId),
  ]);
  if (!row || !service || !environment)
    throw new AppError("NOT_FOUND", "That service is not set up for that environment.");
  const target = { ...row, service, environment };
  const strategy = lastDeploy?.strategy ?? target.defaultStrategy;
  const preview = await previewFor(target, strategy, history, gatewayFor);
  // A cluster that does not answer now may answer in a second: the run derives the target itself then.
  if (preview && !preview.ready) throw new AppError("CONFLICT", sentence(preview.detail));
  const runInput: RollbackRunInput = {
    serviceId: input.serviceId,
    environmentId: input.environmentId,
    strategy,
    reason: input.reason,
    candidates: rollbackCandidates(history).candidates,
    rollbackTo: preview?.intent?.rollbackTo,
    expectLiveImage: preview?.intent?.expectLiveImage,
    switchNow: preview?.intent?.switchNow,
    fromImage: preview?.from?.image,
    releaseId: lastDeploy?.releaseId ?? null,
    requestedById: user.id,
    deadlineSeconds: runDeadlineSeconds(strategy, "ROLLBACK", target),
  };
  const audit = {
    actor: actorOf(user),
    after: {
      kind: "ROLLBACK",
      service: target.service.name,
      environment: target.environment.name,
      strategy,
      reason: input.reason,
      from: preview?.from?.image ?? null,
      to: preview?.intent?.rollbackTo ?? null,
    },
  };
  // The run and its entries on open incidents in one transaction: an incident opened a moment
  // before must not miss the rollback that remedies it.
  return oneActiveRun(input.serviceId, input.environmentId, () =>
    db.$transaction(async (tx) => {
      const run = await createRollbackRun(tx, runInput, audit);
      await recordRunActivity(tx, rollbackActivityRun(run.id, runInput), { type: "started" });
      return run;
    }),
  );
}

/** A rollback run as the incident timeline describes it, from what created it. */
export function rollbackActivityRun(id: string, input: RollbackRunInput) {
  return {
    id,
    kind: "ROLLBACK" as const,
    strategy: input.strategy,
    serviceId: input.serviceId,
    environmentId: input.environmentId,
    dryRun: false,
    toImage: input.rollbackTo ?? null,
    fromImage: input.fromImage ?? input.expectLiveImage ?? null,
    reason: input.reason,
    requestedById: input.requestedById,
    createdAt: new Date(),
  };
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The rollback preview, or null when the cluster cannot be asked right now. */
async function previewFor(
  row: Parameters<typeof deployTarget>[0] & { service: { name: string } },
  strategy: Strategy,
  history: RunRecord[],
  gatewayFor: (cluster: string) => ClusterGateway,
): Promise<RollbackPreview | null> {
  const target = deployTarget(row, row.service.name);
  let gateway: ClusterGateway;
  try {
    gateway = gatewayFor(target.cluster);
  } catch {
    // Not configured here: the run fails at its start with the cluster's own message.
    return null;
  }
  const preview = await previewRollback({ gateway, target, now: () => new Date() }, strategy, history);
  if (!preview.ready && !preview.from) return null;
  return preview;
}

export interface RollbackRunInput {
  serviceId: string;
  environmentId: string;
  strategy: Strategy;
  reason: string;
  /** The good versions from the deployment log, newest first. */
  candidates: string[];
  /** The version to restore, when it was chosen already (what the service page showed). */
  rollbackTo?: string | null;
  /** The version the rollback replaces: if another one is live by then, it changes nothing. */
  expectLiveImage?: string | null;
  /** Blue-green: the switch read from the cluster when the rollback was asked for. */
  switchNow?: RunState["switchNow"];
  fromImage?: string | null;
  releaseId: string | null;
  /** Null for an automatic rollback. */
  requestedById: string | null;
  deadlineSeconds: number;
}

/**
 * Creates a rollback run, its job and (for a person's request) its audit entry in one statement:
 * all or nothing, one round trip on the path on-call waits on. PostgreSQL's unique index refuses
 * it while another deploy or rollback of the target is active.
 */
export async function createRollbackRun(
  client: Pick<DbTx, "$queryRaw">,
  input: RollbackRunInput,
  audit?: { actor: Actor; after: object },
): Promise<{ id: string }> {
  // Shaped like the cuids Prisma gives other rows (25 lowercase letters and digits, time first).
  const id = `c${Date.now().toString(36)}${randomBytes(12).toString("hex")}`.slice(0, 25);
  const state = {
    candidates: input.candidates,
    ...(input.rollbackTo ? { rollbackTo: input.rollbackTo } : {}),
    ...(input.expectLiveImage ? { expectLiveImage: input.expectLiveImage } : {}),
    ...(input.switchNow ? { switchNow: input.switchNow } : {}),
  };
  const deadline = new Date(Date.now() + input.deadlineSeconds * 1000);
  const rows = await client.$queryRaw<{ id: string }[]>`
    with run as (
      insert into deployment_runs (id, kind, status, service_id, environment_id, strategy, reason, from_image, to_image, state, release_id, requested_by_id, deadline_at, created_at, updated_at)
      values (${id}, 'ROLLBACK'::"RunKind", 'QUEUED'::"RunStatus", ${input.serviceId}, ${input.environmentId}, ${input.strategy}::"Strategy", ${input.reason},
              ${input.fromImage ?? input.expectLiveImage ?? null}, ${input.rollbackTo ?? null}, ${JSON.stringify(state)}::jsonb, ${input.releaseId}, ${input.requestedById},
              ${deadline}::timestamptz, now(), now())
      returning id
    ),
    audit as (
      insert into audit_log (actor_id, actor_label, action, target_type, target_id, after)
      select ${audit?.actor.id ?? null}, ${audit?.actor.label ?? ""}, 'run.request', 'run', run.id, ${JSON.stringify(audit?.after ?? null)}::jsonb from run where ${audit !== undefined}
    ),
    job as (select ${addJob(rollbackRunJob, { runId: id }, { key: `run:${id}` })} from run)
    select run.id from run, job`;
  return rows[0];
}

/** Whether an error is PostgreSQL refusing a second active deploy or rollback of one target. */
export function isActiveRunConflict(error: unknown): boolean {
  return (
    isUniqueViolation(error) || (error instanceof Error && /deployment_runs_one_active_per_target/.test(error.message))
  );
}

/**
 * Promote (skip the remaining canary steps) or abort (canary to zero) an active canary deploy.
 * Recorded as a request made to that run (run_controls), which the run's end completes.
 */
export async function controlCanary(user: CurrentUser, input: { runId: string; action: CanaryControl }) {
  const { permission, verb } = CANARY_CONTROLS[input.action];
  if (!can(user, permission)) throw new AppError("FORBIDDEN", forbiddenMessage(permission, verb));
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`select id from deployment_runs where id = ${input.runId} for update`;
    const run = await tx.deploymentRun.findUnique({ where: { id: input.runId } });
    if (!run) throw new AppError("NOT_FOUND", "That run does not exist.");
    if (run.kind !== "DEPLOY" || run.strategy !== "CANARY")
      throw new AppError("INVALID", "Only a canary deploy can be promoted or aborted.");
    if (!isActiveRunStatus(run.status)) throw new AppError("CONFLICT", `This run has already ${humanize(run.status)}.`);
    if (run.controlRequest)
      throw new AppError("CONFLICT", `A ${run.controlRequest} was already requested for this run.`);
    if ((run.state as RunState | null)?.recovery)
      throw new AppError("CONFLICT", "This canary is already being taken out of traffic.");
    if ([...CANARY_PROMOTING_STEPS, DONE].includes(run.currentStep ?? "")) {
      throw new AppError(
        "CONFLICT",
        input.action === "abort"
          ? "The stable Deployment is already taking the new version; use Roll back on the service page instead."
          : "The canary is already being promoted.",
      );
    }
    await tx.deploymentRun.update({
      where: { id: run.id },
      // A paused run goes back to the queue to carry the request out.
      data: {
        controlRequest: input.action,
        ...(run.status === "PAUSED" ? { status: "RUNNING", leaseOwner: null, leaseExpiresAt: null } : {}),
      },
    });
    const control = await tx.runControl.create({
      data: { runId: run.id, action: input.action, requestedById: user.id },
    });
    await recordAudit(tx, actorOf(user), {
      action: `run.${input.action}`,
      targetType: "run",
      targetId: run.id,
      metadata: { controlId: control.id },
    });
    if (run.status === "PAUSED") await enqueueRun(tx, run.id, run.kind);
    return run;
  });
}
