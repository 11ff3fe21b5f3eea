import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import type { DbTx } from "@/lib/db";

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
  /** Already mitigated when opened (a canary scaled to zero); a rollback run mitigates it when it finishes. */
  mitigated?: boolean;
}

/**
 * Opens an incident for a rollback Greenlight made by itself: people must learn that a version
 * hurt users and was taken back, and follow up.
 */
export async function openAutoRollbackIncident(tx: DbTx, input: AutoRollbackIncident) {
  const incident = await tx.incident.create({
    data: {
      title: `Automatic rollback of ${input.serviceName} in ${input.environmentName}`,
      summary: `${input.image ?? "The new version"} breached its SLIs: ${input.why}. ${input.remedy ?? "Greenlight rolled it back."}`,
      severity: input.userFacing ? "P2" : "P3",
      ...(input.mitigated ? { status: "MITIGATED" as const, mitigatedAt: new Date() } : {}),
      source: "AUTO_ROLLBACK",
      serviceId: input.serviceId,
      environmentId: input.environmentId,
      events: {
        create: [
          { kind: "DETECT", message: `SLI analysis found a breach: ${input.why}`, runId: input.deployRunId },
          {
            kind: "ROLLBACK",
            message: input.remedy ?? "Greenlight started an automatic rollback",
            runId: input.rollbackRunId,
          },
        ],
      },
    },
  });
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

/** Records on the incident how the automatic rollback ended, and marks it mitigated if it worked. */
export async function recordRollbackOutcome(
  tx: DbTx,
  rollbackRunId: string,
  succeeded: boolean,
  outcome: string,
): Promise<void> {
  const opened = await tx.incidentEvent.findFirst({
    where: { runId: rollbackRunId, kind: "ROLLBACK" },
    select: { incidentId: true },
  });
  if (!opened) return;
  await tx.incidentEvent.create({
    data: {
      incidentId: opened.incidentId,
      kind: succeeded ? "REMEDIATE" : "NOTE",
      message: succeeded ? `Rollback finished: ${outcome}` : `Rollback did not finish: ${outcome}`,
      runId: rollbackRunId,
    },
  });
  if (succeeded)
    await tx.incident.updateMany({
      where: { id: opened.incidentId, status: { in: ["OPEN", "ACKNOWLEDGED"] } },
      data: { status: "MITIGATED", mitigatedAt: new Date() },
    });
}
