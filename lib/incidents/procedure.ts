import type { IncidentEventKind, IncidentStatus, IncidentStep, Severity } from "@/lib/generated/prisma/client";

/** The 8 steps of the incident procedure (DESIGN.md), in order; a timeline is grouped by them. */
export const INCIDENT_STEPS: readonly IncidentStep[] = [
  "DETECT",
  "ACKNOWLEDGE",
  "ASSESS",
  "COMMUNICATE",
  "REMEDIATE",
  "VERIFY",
  "DOCUMENT",
  "REVIEW",
];

/** Where an entry of each kind sits in the procedure when nobody chose a step for it. */
export function stepOf(kind: IncidentEventKind): IncidentStep {
  switch (kind) {
    case "DETECT":
    case "ALERT":
    case "SLI_BREACH":
      return "DETECT";
    case "ACKNOWLEDGE":
    case "COMMANDER_CHANGE":
      return "ACKNOWLEDGE";
    case "ASSESS":
    case "SEVERITY_CHANGE":
    case "LINK":
      return "ASSESS";
    case "COMMUNICATE":
    case "NOTE":
      return "COMMUNICATE";
    case "REMEDIATE":
    case "DEPLOY":
    case "TRAFFIC_SWITCH":
    case "ROLLBACK":
      return "REMEDIATE";
    case "VERIFY":
    case "ALERT_RESOLVED":
    case "STATUS_CHANGE":
      return "VERIFY";
    case "DOCUMENT":
      return "DOCUMENT";
    case "REVIEW":
      return "REVIEW";
  }
}

/** Time to acknowledge, by severity (DESIGN.md: P1 service down 5 min, P2 degraded 15 min, P3 1 h, P4 4 h). */
export const RESPONSE_TARGET_MINUTES: Record<Severity, number> = { P1: 5, P2: 15, P3: 60, P4: 240 };

/** Severities that need a postmortem before the incident is closed out. */
export const POSTMORTEM_SEVERITIES: readonly Severity[] = ["P1", "P2"];

export interface AcknowledgeClock {
  targetMinutes: number;
  /** Milliseconds from opening to acknowledgement, or to `now` while unacknowledged. */
  elapsedMs: number;
  acknowledged: boolean;
  /** Past the target (still running, or acknowledged late). */
  breached: boolean;
  /** Milliseconds left before the target while unacknowledged; 0 once breached or acknowledged. */
  remainingMs: number;
}

/** The clock the incident page shows: time to acknowledge against the severity's target. */
export function acknowledgeClock(
  incident: { severity: Severity; openedAt: Date; acknowledgedAt: Date | null },
  now: Date,
): AcknowledgeClock {
  const targetMs = RESPONSE_TARGET_MINUTES[incident.severity] * 60_000;
  const end = incident.acknowledgedAt ?? now;
  const elapsedMs = Math.max(0, end.getTime() - incident.openedAt.getTime());
  const acknowledged = incident.acknowledgedAt !== null;
  return {
    targetMinutes: RESPONSE_TARGET_MINUTES[incident.severity],
    elapsedMs,
    acknowledged,
    breached: elapsedMs > targetMs,
    remainingMs: acknowledged ? 0 : Math.max(0, targetMs - elapsedMs),
  };
}

/**
 * Status moves people may make. Any open status may go to any other open status (an assessment
 * can be wrong), RESOLVED is reached only by resolving (with a summary), and a resolved incident
 * is reopened to INVESTIGATING only.
 */
export function statusChangeRefusal(from: IncidentStatus, to: IncidentStatus): string | null {
  if (from === to) return `The incident is already ${to.toLowerCase()}.`;
  if (to === "RESOLVED") return "Resolve the incident with a summary of what happened.";
  if (from === "RESOLVED" && to !== "INVESTIGATING")
    return "A resolved incident can only be reopened as investigating.";
  return null;
}

/** The status change marks users as served well again (time to restore ends) the first time it leaves investigating/identified. */
export function restoresService(to: IncidentStatus): boolean {
  return to === "MONITORING" || to === "RESOLVED";
}
