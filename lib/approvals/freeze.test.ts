import { describe, expect, it } from "vitest";
import { activeFreeze, type FreezeWindowSpec } from "@/lib/approvals/freeze";

function win(partial: Partial<FreezeWindowSpec>): FreezeWindowSpec {
  return {
    id: "w",
    reason: "freeze",
    recurrence: "NONE",
    startsAt: new Date("2026-01-01T00:00:00Z"),
    endsAt: null,
    localStartTime: null,
    durationMinutes: null,
    weekdays: [],
    timeZone: "UTC",
    ...partial,
  };
}
const at = (iso: string) => new Date(iso);

describe("one-off freezes", () => {
  const w = win({ startsAt: at("2026-12-20T00:00:00Z"), endsAt: at("2027-01-03T00:00:00Z") });
  it.each([
    ["2026-12-19T23:59:59Z", null],
    ["2026-12-20T00:00:00Z", "2027-01-03T00:00:00.000Z"],
    ["2027-01-02T23:59:59Z", "2027-01-03T00:00:00.000Z"],
    ["2027-01-03T00:00:00Z", null],
  ])("at %s → %s", (now, end) => {
    expect(activeFreeze([w], at(now))?.endsAt.toISOString() ?? null).toBe(end);
  });
});

describe("recurring freezes across time zones and DST", () => {
  // Every night 22:00–06:00 Berlin time.
  const nightly = win({
    recurrence: "DAILY",
    localStartTime: "22:00",
    durationMinutes: 8 * 60,
    timeZone: "Europe/Berlin",
  });
  it.each([
    ["winter, 21:30 Berlin (20:30Z)", "2026-01-15T20:30:00Z", null],
    ["winter, 22:00 Berlin (21:00Z)", "2026-01-15T21:00:00Z", "2026-01-16T05:00:00.000Z"],
    ["winter, 05:59 Berlin next day", "2026-01-16T04:59:00Z", "2026-01-16T05:00:00.000Z"],
    ["summer, 22:00 Berlin is 20:00Z", "2026-07-15T20:00:00Z", "2026-07-16T04:00:00.000Z"],
    ["summer, 21:00Z is 23:00 Berlin", "2026-07-15T21:00:00Z", "2026-07-16T04:00:00.000Z"],
    ["summer, 04:00Z is 06:00 Berlin: over", "2026-07-16T04:00:00Z", null],
  ])("%s", (_name, now, end) => {
    expect(activeFreeze([nightly], at(now))?.endsAt.toISOString() ?? null).toBe(end);
  });

  it("keeps 8 real hours on the night clocks go forward (Berlin, 29 March 2026)", () => {
    // Starts 22:00 CET (21:00Z) on the 28th; 8 hours later is 05:00Z, which is 07:00 CEST.
    expect(activeFreeze([nightly], at("2026-03-29T04:59:00Z"))?.endsAt.toISOString()).toBe("2026-03-29T05:00:00.000Z");
    expect(activeFreeze([nightly], at("2026-03-29T05:00:00Z"))).toBeNull();
  });

  it("keeps 8 real hours on the night clocks go back (Berlin, 25 October 2026)", () => {
    // Starts 22:00 CEST (20:00Z) on the 24th; ends 04:00Z, which is 05:00 CET.
    expect(activeFreeze([nightly], at("2026-10-25T03:59:00Z"))?.endsAt.toISOString()).toBe("2026-10-25T04:00:00.000Z");
    expect(activeFreeze([nightly], at("2026-10-25T04:00:00Z"))).toBeNull();
  });

  // Fridays 16:00 to Monday 08:00 New York time.
  const weekend = win({
    recurrence: "WEEKLY",
    weekdays: [5],
    localStartTime: "16:00",
    durationMinutes: (2 * 24 + 16) * 60,
    timeZone: "America/New_York",
  });
  it.each([
    ["Friday 15:59 New York", "2026-11-20T20:59:00Z", null],
    ["Friday 16:00 New York", "2026-11-20T21:00:00Z", "2026-11-23T13:00:00.000Z"],
    ["Sunday noon New York", "2026-11-22T17:00:00Z", "2026-11-23T13:00:00.000Z"],
    ["Monday 08:00 New York", "2026-11-23T13:00:00Z", null],
    ["Thursday", "2026-11-19T18:00:00Z", null],
  ])("%s", (_name, now, end) => {
    expect(activeFreeze([weekend], at(now))?.endsAt.toISOString() ?? null).toBe(end);
  });

  it("applies only from its first day and until its last", () => {
    const bounded = { ...nightly, startsAt: at("2026-02-01T00:00:00Z"), endsAt: at("2026-02-28T00:00:00Z") };
    expect(activeFreeze([bounded], at("2026-01-15T21:30:00Z"))).toBeNull();
    expect(activeFreeze([bounded], at("2026-02-15T21:30:00Z"))).not.toBeNull();
    expect(activeFreeze([bounded], at("2026-03-15T21:30:00Z"))).toBeNull();
  });

  it("reports the latest end when windows overlap", () => {
    const oneOff = win({ startsAt: at("2026-01-15T00:00:00Z"), endsAt: at("2026-01-20T00:00:00Z") });
    expect(activeFreeze([nightly, oneOff], at("2026-01-15T21:30:00Z"))?.endsAt.toISOString()).toBe(
      "2026-01-20T00:00:00.000Z",
    );
  });
});
