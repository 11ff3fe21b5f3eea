import type { IncidentEventKind, IncidentStatus, RunKind, RunStatus, Severity } from "@/lib/generated/prisma/client";
import { POSTMORTEM_SEVERITIES, type AcknowledgeClock } from "@/lib/incidents/procedure";

/** A resolution shorter than this says nothing a reader of the record could use. */
export const RESOLUTION_MIN_LENGTH = 10;

/** A deploy that finished this long before an incident opened is a suspect: linked as its cause when asked. */
export const CAUSE_WINDOW_MINUTES = 60;

export function isOpen(status: IncidentStatus): boolean {
  return status !== "RESOLVED";
}

export function needsPostmortem(severity: Severity): boolean {
  return POSTMORTEM_SEVERITIES.includes(severity);
}

/** The newest deploy that finished within CAUSE_WINDOW_MINUTES before `openedAt` (dry runs never count). */
export function causeDeploy<R extends { kind: RunKind; dryRun: boolean; finishedAt: Date | null }>(
  runs: readonly R[],
  openedAt: Date,
): R | null {
  const earliest = openedAt.getTime() - CAUSE_WINDOW_MINUTES * 60_000;
  let best: R | null = null;
  for (const run of runs) {
    if (run.kind !== "DEPLOY" || run.dryRun || !run.finishedAt) continue;
    const t = run.finishedAt.getTime();
    if (t < earliest || t > openedAt.getTime()) continue;
    if (!best || t > best.finishedAt!.getTime()) best = run;
  }
  return best;
}

/**
 * Whether a run on a service and environment concerns an open incident: same service, and the
 * incident's environment when it names one (an incident without an environment concerns them all).
 */
export function concernsIncident(
  incident: { serviceId: string | null; environmentId: string | null },
  run: { serviceId: string; environmentId: string },
): boolean {
  if (incident.serviceId !== run.serviceId) return false;
  return incident.environmentId === null || incident.environmentId === run.environmentId;
}

/** "45 s", "3 min", "2 h 5 min", "3 d 4 h": how long, rounded down to what a person reads. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** How the acknowledge clock reads: "acknowledged after 3 min (target 5 min)", "4 min left (target 5 min)", "overdue by 2 min (target 5 min)". */
export function acknowledgeClockText(clock: AcknowledgeClock): string {
  const target = `target ${formatDuration(clock.targetMinutes * 60_000)}`;
  if (clock.acknowledged)
    return `acknowledged after ${formatDuration(clock.elapsedMs)} (${target}${clock.breached ? ", missed" : ""})`;
  if (clock.breached) return `overdue by ${formatDuration(clock.elapsedMs - clock.targetMinutes * 60_000)} (${target})`;
  return `${formatDuration(clock.remainingMs)} left to acknowledge (${target})`;
}

/** Time to acknowledge: opened → first acknowledged. Null while nobody has. */
export function timeToAcknowledgeMs(incident: { openedAt: Date; acknowledgedAt: Date | null }): number | null {
  return incident.acknowledgedAt ? Math.max(0, incident.acknowledgedAt.getTime() - incident.openedAt.getTime()) : null;
}

/** Time to restore: opened → users served well again (first move to monitoring, or resolved). Null until then. */
export function timeToRestoreMs(incident: { openedAt: Date; restoredAt: Date | null }): number | null {
  return incident.restoredAt ? Math.max(0, incident.restoredAt.getTime() - incident.openedAt.getTime()) : null;
}

/** What a run did that an open incident's timeline records. */
export type RunActivity =
  | { type: "started" }
  | { type: "finished"; status: RunStatus; outcome: string }
  | { type: "traffic"; step: string; message: string }
  | { type: "sli-breach"; why: string };

export interface ActivityRun {
  id: string;
  kind: RunKind;
  strategy: string;
  toImage: string | null;
  fromImage?: string | null;
  reason?: string | null;
  requestedById: string | null;
}

/** One key per thing a run did, so an entry is written once however often the caller retries. */
export function activityKey(activity: RunActivity): string {
  return activity.type === "traffic" ? `traffic:${activity.step}` : activity.type;
}

/** The timeline entry for a run's activity: its kind, what it says, and who did it (null: Greenlight). */
export function runActivityEntry(
  run: ActivityRun,
  activity: RunActivity,
): { kind: IncidentEventKind; message: string; actorId: string | null } {
  const what = run.kind === "ROLLBACK" ? "Rollback" : "Deploy";
  const kind: IncidentEventKind = run.kind === "ROLLBACK" ? "ROLLBACK" : "DEPLOY";
  const strategy = run.strategy.toLowerCase().replaceAll("_", "-");
  switch (activity.type) {
    case "started": {
      const automatic = run.kind === "ROLLBACK" && run.requestedById === null;
      const target =
        run.kind === "ROLLBACK"
          ? `${run.fromImage ? ` from ${run.fromImage}` : ""}${run.toImage ? ` to ${run.toImage}` : ""}`
          : ` of ${run.toImage ?? "a new version"}`;
      const why = run.reason ? `: ${run.reason}` : "";
      return {
        kind,
        message: `${automatic ? "Automatic rollback" : what} started${target} (${strategy})${why}`,
        actorId: run.requestedById,
      };
    }
    case "finished": {
      const verb =
        activity.status === "SUCCEEDED" ? "succeeded" : activity.status === "ABORTED" ? "was aborted" : "failed";
      return { kind, message: `${what} ${verb}: ${activity.outcome}`, actorId: null };
    }
    case "traffic":
      return { kind: "TRAFFIC_SWITCH", message: `${what} moved traffic: ${activity.message}`, actorId: null };
    case "sli-breach":
      return {
        kind: "SLI_BREACH",
        message: `SLI breach after the ${what.toLowerCase()}: ${activity.why}`,
        actorId: null,
      };
  }
}
