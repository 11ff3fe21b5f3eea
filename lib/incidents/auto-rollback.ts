import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import type { DbTx } from "@/lib/db";
import { addTimelineEntry, linkRun } from "@/lib/incidents/timeline";

/**
 * Marks the entries this module writes for the runs it opened an incident about, so the entries
 * other runs' activity adds (run-activity.ts) neither repeat them nor get mistaken for them.
 */
export const AUTO_ROLLBACK_ORIGIN = "auto-rollback";
const origin = { origin: AUTO_ROLLBACK_ORIGIN };

export interface AutoRollbackIncident {
  serviceId: string;
  environmentId: string;
  serviceName: string;
  environmentName: string;
  /** Environments that need sign-offs are the ones users depend on: those breaches are P2. */
  userFacing: boolean;
  /** The deploy whose verification (or canary analysis) failed. */
  deployRunId: string;
  /** The run that rolled back: a rollback run, or the canary deploy itself, which stopped its canary. */
  rollbackRunId: string;
  image: string | null;
  why: string;
  /** What Greenlight did about it. */
  remedy?: string;
  /** The release the failed deploy shipped. */
  releaseId?: string | null;
  /** Already mitigated when opened (a canary scaled to zero); a rollback run mitigates it when it finishes. */
  mitigated?: boolean;
}

/**
 * Opens an incident for a rollback Greenlight made by itself: people must learn that a version
 * hurt users and was taken back, and follow up.
 */
export async function openAutoRollbackIncident(tx: DbTx, input: AutoRollbackIncident) {
  const now = new Date();
  const incident = await tx.incident.create({
    data: {
      title: `Automatic rollback of ${input.serviceName} in ${input.environmentName}`,
      summary: `${input.image ?? "The new version"} breached its SLIs: ${input.why}. ${input.remedy ?? "Greenlight rolled it back."}`,
      severity: input.userFacing ? "P2" : "P3",
      ...(input.mitigated ? { status: "MONITORING" as const, restoredAt: now } : {}),
      source: "AUTO_ROLLBACK",
      serviceId: input.serviceId,
      environmentId: input.environmentId,
      releaseId: input.releaseId ?? null,
    },
  });
  await addTimelineEntry(tx, {
    incidentId: incident.id,
    kind: "SLI_BREACH",
    message: `SLI analysis found a breach: ${input.why}`,
    runId: input.deployRunId,
    data: origin,
    at: now,
  });
  await addTimelineEntry(tx, {
    incidentId: incident.id,
    kind: "ROLLBACK",
    message: input.remedy ?? "Greenlight started an automatic rollback",
    runId: input.rollbackRunId,
    data: origin,
    at: now,
  });
  await linkRun(tx, { incidentId: incident.id, runId: input.deployRunId, relation: "cause" });
  if (input.rollbackRunId !== input.deployRunId)
    await linkRun(tx, { incidentId: incident.id, runId: input.rollbackRunId, relation: "remedy" });
  await recordAudit(tx, SYSTEM_ACTOR, {
    action: "incident.open",
    targetType: "incident",
    targetId: incident.id,
    after: {
      number: incident.number,
      source: "AUTO_ROLLBACK",
      deployRunId: input.deployRunId,
      rollbackRunId: input.rollbackRunId,
    },
  });
  return incident;
}

/** Records on the incident how the automatic rollback ended, and moves it to monitoring (service restored) if it worked. */
export async function recordRollbackOutcome(
  tx: DbTx,
  rollbackRunId: string,
  succeeded: boolean,
  outcome: string,
): Promise<void> {
  const opened = await tx.incidentEvent.findFirst({
    // Only the incident this rollback was opened with: other open incidents hear of its end from run-activity.ts.
    where: { runId: rollbackRunId, kind: "ROLLBACK", data: { path: ["origin"], equals: AUTO_ROLLBACK_ORIGIN } },
    select: { incidentId: true },
  });
  if (!opened) return;
  await addTimelineEntry(tx, {
    incidentId: opened.incidentId,
    kind: succeeded ? "REMEDIATE" : "NOTE",
    message: succeeded ? `Rollback finished: ${outcome}` : `Rollback did not finish: ${outcome}`,
    runId: rollbackRunId,
    data: origin,
    ...(succeeded ? {} : { step: "REMEDIATE" as const }),
  });
  if (succeeded) {
    // Time to restore ends the first time service was restored: an earlier restore (someone moved
    // it to monitoring and back) is kept.
    await tx.incident.updateMany({
      where: { id: opened.incidentId, status: { in: ["INVESTIGATING", "IDENTIFIED"] }, restoredAt: null },
      data: { status: "MONITORING", restoredAt: new Date() },
    });
    await tx.incident.updateMany({
      where: { id: opened.incidentId, status: { in: ["INVESTIGATING", "IDENTIFIED"] } },
      data: { status: "MONITORING" },
    });
  }
}
