import type { DbTx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { AUTO_ROLLBACK_ORIGIN } from "@/lib/incidents/auto-rollback";
import { activityKey, runActivityEntry, type ActivityRun, type RunActivity } from "@/lib/incidents/rules";
import { addTimelineEntry, linkRun } from "@/lib/incidents/timeline";

export interface RunForActivity extends ActivityRun {
  serviceId: string;
  environmentId: string;
  dryRun: boolean;
  createdAt: Date;
}

/**
 * Writes what a run did onto the timeline of every open incident on its service and environment,
 * in the caller's transaction: a deploy or rollback starting and finishing, traffic moving, an
 * SLI breach. Each thing is written once per incident (retries and resumed runs write nothing
 * more), and never onto an incident whose own story auto-rollback.ts tells for this run. A deploy
 * or rollback started while the incident was open is linked to it as a remedy.
 *
 * Answers with the incidents it wrote to. Costs one indexed read when no incident is open.
 */
export async function recordRunActivity(
  tx: DbTx,
  run: RunForActivity,
  activity: RunActivity,
  at: Date = new Date(),
): Promise<string[]> {
  if (run.dryRun || (run.kind !== "DEPLOY" && run.kind !== "ROLLBACK")) return [];
  const incidents = await tx.incident.findMany({
    where: {
      status: { not: "RESOLVED" },
      serviceId: run.serviceId,
      OR: [{ environmentId: run.environmentId }, { environmentId: null }],
    },
    select: { id: true, openedAt: true },
  });
  if (incidents.length === 0) return [];
  const key = activityKey(activity);
  const earlier = await tx.incidentEvent.findMany({
    where: { incidentId: { in: incidents.map((i) => i.id) }, runId: run.id },
    select: { incidentId: true, data: true },
  });
  const skip = new Set(
    earlier
      .filter((e) => {
        const data = (e.data ?? {}) as { origin?: unknown; activity?: unknown };
        return data.origin === AUTO_ROLLBACK_ORIGIN || data.activity === key;
      })
      .map((e) => e.incidentId),
  );
  const entry = runActivityEntry(run, activity);
  const data: Prisma.InputJsonValue = {
    activity: key,
    runKind: run.kind,
    ...(run.toImage ? { toImage: run.toImage } : {}),
    ...(activity.type === "finished" ? { status: activity.status, outcome: activity.outcome } : {}),
    ...(activity.type === "traffic" ? { step: activity.step } : {}),
    ...(activity.type === "sli-breach" ? { why: activity.why } : {}),
  };
  const written: string[] = [];
  for (const incident of incidents) {
    if (skip.has(incident.id)) continue;
    await addTimelineEntry(tx, {
      incidentId: incident.id,
      kind: entry.kind,
      message: entry.message,
      actorId: entry.actorId,
      runId: run.id,
      data,
      at,
    });
    // Started while the incident was open: whatever it ships is part of the response.
    if (activity.type === "started" && run.createdAt.getTime() >= incident.openedAt.getTime())
      await linkRun(tx, { incidentId: incident.id, runId: run.id, relation: "remedy" });
    written.push(incident.id);
  }
  return written;
}
