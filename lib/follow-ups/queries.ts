import "server-only";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { can } from "@/lib/rbac";

/** A release's follow-ups, per deploy that produced them (latest first), in the item order. */
export async function followUpsForRelease(releaseId: string) {
  const items = await db.followUpItem.findMany({
    where: { releaseId },
    orderBy: [{ createdAt: "desc" }, { position: "asc" }],
    include: {
      checkedBy: { select: { name: true } },
      run: { select: { id: true, finishedAt: true, environment: { select: { followUpTimeZone: true } } } },
    },
  });
  const runs = new Map<string, { runId: string; finishedAt: Date | null; timeZone: string; items: typeof items }>();
  for (const item of items) {
    const group = runs.get(item.runId) ?? {
      runId: item.runId,
      finishedAt: item.run.finishedAt,
      timeZone: item.run.environment.followUpTimeZone,
      items: [],
    };
    group.items.push(item);
    runs.set(item.runId, group);
  }
  return [...runs.values()];
}

/**
 * Follow-ups past due that nobody ticked and nothing closed, for the people who tick them
 * (release managers, on-call, admins): their *Waiting for me*.
 */
export async function overdueFollowUpsFor(user: CurrentUser, now = new Date()) {
  if (!can(user, "followup:tick")) return [];
  return db.followUpItem.findMany({
    where: { dueAt: { lte: now }, checkedAt: null, closedAt: null },
    orderBy: [{ dueAt: "asc" }, { position: "asc" }],
    take: 200,
    include: {
      release: {
        select: {
          id: true,
          number: true,
          service: { select: { displayName: true } },
          environment: { select: { displayName: true, followUpTimeZone: true } },
        },
      },
    },
  });
}
