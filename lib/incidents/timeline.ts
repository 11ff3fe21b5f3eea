import type { IncidentEventKind, IncidentStep, Prisma } from "@/lib/generated/prisma/client";
import type { DbTx } from "@/lib/db";
import { stepOf } from "@/lib/incidents/procedure";

export interface TimelineEntry {
  incidentId: string;
  kind: IncidentEventKind;
  message: string;
  /** A person's chosen step (notes); otherwise stepOf(kind). */
  step?: IncidentStep;
  actorId?: string | null;
  runId?: string | null;
  alertId?: string | null;
  data?: Prisma.InputJsonValue;
  at?: Date;
}

/** Adds one entry to an incident's timeline, in the caller's transaction. */
export function addTimelineEntry(tx: DbTx, entry: TimelineEntry) {
  return tx.incidentEvent.create({
    data: {
      incidentId: entry.incidentId,
      kind: entry.kind,
      step: entry.step ?? stepOf(entry.kind),
      message: entry.message,
      actorId: entry.actorId ?? null,
      runId: entry.runId ?? null,
      alertId: entry.alertId ?? null,
      ...(entry.data === undefined ? {} : { data: entry.data }),
      ...(entry.at ? { createdAt: entry.at } : {}),
    },
  });
}

/** Links a run to an incident once ("cause": a deploy before it; "remedy": what fixed it). */
export async function linkRun(
  tx: DbTx,
  link: { incidentId: string; runId: string; relation: "cause" | "remedy"; linkedById?: string | null },
): Promise<boolean> {
  const inserted = await tx.incidentRun.createMany({
    data: [
      { incidentId: link.incidentId, runId: link.runId, relation: link.relation, linkedById: link.linkedById ?? null },
    ],
    skipDuplicates: true,
  });
  return inserted.count > 0;
}
