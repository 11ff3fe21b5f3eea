import "server-only";
import { db } from "@/lib/db";

/** The newest incidents first, with where they happened. */
export function listRecentIncidents(take = 50) {
  return db.incident.findMany({ orderBy: { openedAt: "desc" }, take, include: { service: true, environment: true } });
}

export type IncidentListItem = Awaited<ReturnType<typeof listRecentIncidents>>[number];

export function countOpenIncidents(): Promise<number> {
  return db.incident.count({ where: { status: { not: "RESOLVED" } } });
}
