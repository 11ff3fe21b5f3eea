import { describe, expect, it } from "vitest";
import { acknowledgeClock } from "@/lib/incidents/procedure";
import {
  acknowledgeClockText,
  activityKey,
  causeDeploy,
  concernsIncident,
  formatDuration,
  needsPostmortem,
  runActivityEntry,
  timeToAcknowledgeMs,
  timeToRestoreMs,
  type ActivityRun,
} from "@/lib/incidents/rules";

const opened = new Date("2026-12-04T03:00:00Z");
const at = (minutes: number) => new Date(opened.getTime() + minutes * 60_000);

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [-5_000, "0 s"],
    [59_999, "59 s"],
    [60_000, "1 min"],
    [3 * 60_000 + 30_000, "3 min"],
    [60 * 60_000, "1 h"],
    [125 * 60_000, "2 h 5 min"],
    [24 * 60 * 60_000, "1 d"],
    [(3 * 24 + 4) * 60 * 60_000, "3 d 4 h"],
  ])("%s ms reads %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("acknowledgeClockText", () => {
  it.each([
    ["P1", 3, 30, "acknowledged after 3 min (target 5 min)"],
    ["P1", 7, 30, "acknowledged after 7 min (target 5 min, missed)"],
    ["P2", null, 4, "11 min left to acknowledge (target 15 min)"],
    ["P1", null, 8, "overdue by 3 min (target 5 min)"],
    ["P4", null, 30, "3 h 30 min left to acknowledge (target 4 h)"],
  ] as const)("%s acknowledged after %s min, now +%s min: %s", (severity, ack, now, text) => {
    const clock = acknowledgeClock(
      { severity, openedAt: opened, acknowledgedAt: ack === null ? null : at(ack) },
      at(now),
    );
    expect(acknowledgeClockText(clock)).toBe(text);
  });
});

describe("causeDeploy", () => {
  const run = (minutes: number | null, kind: "DEPLOY" | "ROLLBACK" = "DEPLOY", dryRun = false) => ({
    id: `${kind}${minutes}${dryRun}`,
    kind,
    dryRun,
    finishedAt: minutes === null ? null : at(minutes),
  });

  it.each([
    ["the newest deploy within the hour", [run(-50), run(-10), run(-30)], "DEPLOY-10false"],
    ["exactly an hour before counts", [run(-60)], "DEPLOY-60false"],
    ["more than an hour before does not", [run(-61)], null],
    ["after the incident opened does not", [run(5)], null],
    ["rollbacks are no cause", [run(-5, "ROLLBACK")], null],
    ["dry runs are no cause", [run(-5, "DEPLOY", true)], null],
    ["unfinished runs are no cause", [run(null)], null],
    ["nothing", [], null],
  ])("%s", (_, runs, expected) => {
    expect(causeDeploy(runs, opened)?.id ?? null).toBe(expected);
  });
});

describe("concernsIncident", () => {
  const run = { serviceId: "s1", environmentId: "e1" };
  it.each([
    [{ serviceId: "s1", environmentId: "e1" }, true],
    [{ serviceId: "s1", environmentId: null }, true],
    [{ serviceId: "s1", environmentId: "e2" }, false],
    [{ serviceId: "s2", environmentId: "e1" }, false],
    [{ serviceId: null, environmentId: null }, false],
  ])("%o: %s", (incident, expected) => expect(concernsIncident(incident, run)).toBe(expected));
});

describe("postmortems and clocks", () => {
  it.each([
    ["P1", true],
    ["P2", true],
    ["P3", false],
    ["P4", false],
  ] as const)("%s needs a postmortem: %s", (severity, expected) => expect(needsPostmortem(severity)).toBe(expected));

  it("times to acknowledge and to restore run from opening", () => {
    expect(timeToAcknowledgeMs({ openedAt: opened, acknowledgedAt: at(4) })).toBe(4 * 60_000);
    expect(timeToAcknowledgeMs({ openedAt: opened, acknowledgedAt: null })).toBeNull();
    expect(timeToRestoreMs({ openedAt: opened, restoredAt: at(42) })).toBe(42 * 60_000);
    expect(timeToRestoreMs({ openedAt: opened, restoredAt: null })).toBeNull();
  });
});

describe("runActivityEntry", () => {
  const deploy: ActivityRun = {
    id: "r1",
    kind: "DEPLOY",
    strategy: "BLUE_GREEN",
    toImage: "shop/checkout:1.5.0",
    requestedById: "u1",
  };
  const rollback: ActivityRun = {
    id: "r2",
    kind: "ROLLBACK",
    strategy: "ROLLING",
    fromImage: "shop/checkout:1.5.0",
    toImage: "shop/checkout:1.4.2",
    reason: "errors",
    requestedById: null,
  };

  it.each([
    [deploy, { type: "started" }, "DEPLOY", "Deploy started of shop/checkout:1.5.0 (blue-green)", "u1"],
    [deploy, { type: "finished", status: "SUCCEEDED", outcome: "live" }, "DEPLOY", "Deploy succeeded: live", null],
    [
      deploy,
      { type: "finished", status: "ABORTED", outcome: "by Omar" },
      "DEPLOY",
      "Deploy was aborted: by Omar",
      null,
    ],
    [
      rollback,
      { type: "started" },
      "ROLLBACK",
      "Automatic rollback started from shop/checkout:1.5.0 to shop/checkout:1.4.2 (rolling): errors",
      null,
    ],
    [
      { ...rollback, requestedById: "u2" },
      { type: "started" },
      "ROLLBACK",
      "Rollback started from shop/checkout:1.5.0 to shop/checkout:1.4.2 (rolling): errors",
      "u2",
    ],
    [
      rollback,
      { type: "finished", status: "FAILED", outcome: "timeout" },
      "ROLLBACK",
      "Rollback failed: timeout",
      null,
    ],
    [
      deploy,
      { type: "traffic", step: "switch", message: "Service checkout switched to green" },
      "TRAFFIC_SWITCH",
      "Deploy moved traffic: Service checkout switched to green",
      null,
    ],
    [
      deploy,
      { type: "sli-breach", why: "error rate 4 %" },
      "SLI_BREACH",
      "SLI breach after the deploy: error rate 4 %",
      null,
    ],
  ] as const)("%#: %s %o", (run, activity, kind, message, actorId) => {
    expect(runActivityEntry(run, activity)).toEqual({ kind, message, actorId });
  });

  it("keys an activity once per run, a traffic change once per step", () => {
    expect(activityKey({ type: "started" })).toBe("started");
    expect(activityKey({ type: "traffic", step: "traffic-steps@1", message: "" })).toBe("traffic:traffic-steps@1");
  });
});
