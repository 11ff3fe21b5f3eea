import { describe, expect, it } from "vitest";
import { alertAction, alertNameOf, causeWindow, incidentTitle, utc } from "@/lib/alerts/plan";

describe("alertAction", () => {
  const t = (hhmm: string) => new Date(`2026-12-04T${hhmm}:00Z`);
  const firing = (startsAt: string) => ({ status: "firing" as const, startsAt: t(startsAt), endsAt: null });
  const resolved = (startsAt: string, endsAt: string) => ({
    status: "resolved" as const,
    startsAt: t(startsAt),
    endsAt: t(endsAt),
  });
  const heldFiring = (startsAt: string) => ({ state: "FIRING" as const, startsAt: t(startsAt), endsAt: null });
  const heldResolved = (startsAt: string, endsAt: string) => ({
    state: "RESOLVED" as const,
    startsAt: t(startsAt),
    endsAt: t(endsAt),
  });

  it.each([
    ["firing, held firing", "update", firing("10:00"), heldFiring("10:00"), true],
    ["firing, held firing, no open incident for the target", "update", firing("10:00"), heldFiring("10:00"), false],
    [
      "firing again: a new instance started after the held one ended",
      "update",
      firing("10:30"),
      heldResolved("10:00", "10:07"),
      true,
    ],
    ["a late firing of the instance that resolved", "late", firing("10:00"), heldResolved("10:00", "10:07"), true],
    [
      "a late firing that started exactly at the held end",
      "late",
      firing("10:07"),
      heldResolved("10:00", "10:07"),
      true,
    ],
    ["resolved, held firing", "resolve", resolved("10:00", "10:07"), heldFiring("10:00"), true],
    ["resolved again, held resolved", "resolve", resolved("10:00", "10:07"), heldResolved("10:00", "10:07"), false],
    ["a stale resolve of an earlier instance", "stale", resolved("09:00", "09:10"), heldFiring("10:30"), true],
    ["a resolve ending exactly at the held start", "resolve", resolved("09:00", "10:30"), heldFiring("10:30"), true],
    ["resolved, held by nobody", "ignore", resolved("10:00", "10:07"), null, true],
    ["resolved, held by nobody, no open incident", "ignore", resolved("10:00", "10:07"), null, false],
    ["firing, held by nobody, an open incident for the target", "attach", firing("10:00"), null, true],
    ["firing, held by nobody, no open incident", "open", firing("10:00"), null, false],
  ] as const)("%s → %s", (_name, expected, alert, held, open) => {
    expect(alertAction(alert, held, open)).toBe(expected);
  });
});

describe("incidentTitle", () => {
  it.each([
    [
      "the summary",
      { alertname: "HighErrorRate" },
      { summary: " Checkout fails 12% of requests " },
      "Checkout fails 12% of requests",
    ],
    ["the alertname without a summary", { alertname: "HighErrorRate" }, {}, "HighErrorRate"],
    ["the alertname when the summary is blank", { alertname: "HighErrorRate" }, { summary: "  " }, "HighErrorRate"],
    ["the fingerprint without either", {}, {}, "alert 0a1b2c"],
  ])("uses %s", (_name, labels, annotations, expected) => {
    expect(incidentTitle({ labels, annotations, fingerprint: "0a1b2c" })).toBe(expected);
  });

  it("shortens a long summary to 200 characters", () => {
    const title = incidentTitle({ labels: {}, annotations: { summary: "x".repeat(500) }, fingerprint: "f" });
    expect(title).toHaveLength(200);
    expect(title.endsWith("…")).toBe(true);
  });

  it("names an alert without alertname by its fingerprint", () => {
    expect(alertNameOf({ alertname: "" }, "ff00")).toBe("alert ff00");
  });
});

describe("causeWindow", () => {
  it("reaches back the configured minutes and ends at the alert's start", () => {
    const startsAt = new Date("2026-12-04T10:00:00Z");
    expect(causeWindow(startsAt, 60)).toEqual({ from: new Date("2026-12-04T09:00:00Z"), to: startsAt });
    expect(causeWindow(startsAt, 0)).toEqual({ from: startsAt, to: startsAt });
  });

  it("formats times in UTC", () => {
    expect(utc(new Date("2026-12-04T10:00:05.123Z"))).toBe("2026-12-04 10:00:05 UTC");
  });
});
