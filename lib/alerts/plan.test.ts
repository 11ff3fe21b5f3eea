import { describe, expect, it } from "vitest";
import { alertAction, alertNameOf, causeWindow, incidentTitle, utc } from "@/lib/alerts/plan";

describe("alertAction", () => {
  it.each([
    ["firing", { state: "FIRING" }, true, "update"],
    ["firing", { state: "FIRING" }, false, "update"],
    ["firing", { state: "RESOLVED" }, true, "update"],
    ["resolved", { state: "FIRING" }, true, "resolve"],
    ["resolved", { state: "RESOLVED" }, false, "resolve"],
    ["resolved", null, true, "ignore"],
    ["resolved", null, false, "ignore"],
    ["firing", null, true, "attach"],
    ["firing", null, false, "open"],
  ] as const)("%s, held %j, open incident %s → %s", (status, held, open, expected) => {
    expect(alertAction(status, held, open)).toBe(expected);
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
