import { describe, expect, it } from "vitest";
import type { IncidentStatus } from "@/lib/generated/prisma/client";
import {
  acknowledgeClock,
  INCIDENT_STEPS,
  restoresService,
  statusChangeRefusal,
  stepOf,
} from "@/lib/incidents/procedure";

const opened = new Date("2026-12-04T03:00:00Z");
const minutes = (m: number) => new Date(opened.getTime() + m * 60_000);

describe("acknowledgeClock", () => {
  it.each([
    // severity, acknowledged after (min) or null, now (min), breached, remaining (min)
    ["P1", null, 3, false, 2],
    ["P1", null, 6, true, 0],
    ["P1", 4, 30, false, 0],
    ["P1", 7, 30, true, 0],
    ["P2", null, 15, false, 0],
    ["P2", null, 16, true, 0],
    ["P3", 59, 600, false, 0],
    ["P4", null, 239, false, 1],
    ["P4", 241, 300, true, 0],
  ] as const)(
    "%s acknowledged after %s min, now +%s min: breached %s, %s min left",
    (severity, ackAfter, now, breached, left) => {
      const clock = acknowledgeClock(
        { severity, openedAt: opened, acknowledgedAt: ackAfter === null ? null : minutes(ackAfter) },
        minutes(now),
      );
      expect(clock.breached).toBe(breached);
      expect(clock.remainingMs).toBe(left * 60_000);
      expect(clock.acknowledged).toBe(ackAfter !== null);
      expect(clock.elapsedMs).toBe((ackAfter ?? now) * 60_000);
    },
  );

  it("never counts negative time when clocks disagree", () => {
    expect(acknowledgeClock({ severity: "P3", openedAt: opened, acknowledgedAt: null }, minutes(-1)).elapsedMs).toBe(0);
  });
});

describe("statusChangeRefusal", () => {
  it.each([
    ["INVESTIGATING", "IDENTIFIED", null],
    ["INVESTIGATING", "MONITORING", null],
    ["IDENTIFIED", "INVESTIGATING", null],
    ["MONITORING", "IDENTIFIED", null],
    ["MONITORING", "RESOLVED", "Resolve the incident with a summary of what happened."],
    ["INVESTIGATING", "INVESTIGATING", "The incident is already investigating."],
    ["RESOLVED", "INVESTIGATING", null],
    ["RESOLVED", "MONITORING", "A resolved incident can only be reopened as investigating."],
  ] as [IncidentStatus, IncidentStatus, string | null][])("%s → %s", (from, to, refusal) => {
    expect(statusChangeRefusal(from, to)).toBe(refusal);
  });

  it("time to restore ends at monitoring or resolved", () => {
    expect(
      ["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"].map((s) => restoresService(s as IncidentStatus)),
    ).toEqual([false, false, true, true]);
  });
});

describe("stepOf", () => {
  it.each([
    ["ALERT", "DETECT"],
    ["SLI_BREACH", "DETECT"],
    ["ACKNOWLEDGE", "ACKNOWLEDGE"],
    ["COMMANDER_CHANGE", "ACKNOWLEDGE"],
    ["SEVERITY_CHANGE", "ASSESS"],
    ["NOTE", "COMMUNICATE"],
    ["DEPLOY", "REMEDIATE"],
    ["TRAFFIC_SWITCH", "REMEDIATE"],
    ["ROLLBACK", "REMEDIATE"],
    ["ALERT_RESOLVED", "VERIFY"],
    ["DOCUMENT", "DOCUMENT"],
    ["REVIEW", "REVIEW"],
  ] as const)("%s belongs to %s", (kind, step) => {
    expect(stepOf(kind)).toBe(step);
  });

  it("every step of the procedure is reachable", () => {
    const kinds = [
      "DETECT",
      "ACKNOWLEDGE",
      "ASSESS",
      "COMMUNICATE",
      "REMEDIATE",
      "VERIFY",
      "DOCUMENT",
      "REVIEW",
    ] as const;
    expect(kinds.map(stepOf)).toEqual(INCIDENT_STEPS);
  });
});
