import { describe, expect, it } from "vitest";
import { followUpDueAt, followUpState, formatDueTime } from "@/lib/follow-ups/due";
import type { FollowUpDue } from "@/lib/generated/prisma/enums";

const at = (iso: string) => new Date(iso);

describe("followUpDueAt", () => {
  it.each<[string, string, string, FollowUpDue, string]>([
    ["UTC, an hour", "UTC", "2026-12-05T10:00:00Z", "FIRST_HOUR", "2026-12-05T11:00:00.000Z"],
    ["UTC, 4 hours", "UTC", "2026-12-05T10:00:00Z", "FOUR_HOURS", "2026-12-05T14:00:00.000Z"],
    ["UTC, a day", "UTC", "2026-12-05T10:00:00Z", "FIRST_DAY", "2026-12-06T10:00:00.000Z"],
    ["UTC, a week", "UTC", "2026-12-05T10:00:00Z", "FIRST_WEEK", "2026-12-12T10:00:00.000Z"],
    // Friday 17:00 CEST; summer time ends on Sunday: the next Friday at 17:00 CET is 169 h later.
    [
      "Berlin, a week across the end of summer time",
      "Europe/Berlin",
      "2026-10-23T15:00:00Z",
      "FIRST_WEEK",
      "2026-10-30T16:00:00.000Z",
    ],
    ["Berlin, the day before it", "Europe/Berlin", "2026-10-23T15:00:00Z", "FIRST_DAY", "2026-10-24T15:00:00.000Z"],
    // Saturday 12:00 CET; summer time starts on Sunday at 02:00: Sunday 12:00 CEST is 23 h later.
    [
      "Berlin, a day across the start of summer time",
      "Europe/Berlin",
      "2026-03-28T11:00:00Z",
      "FIRST_DAY",
      "2026-03-29T10:00:00.000Z",
    ],
    ["Berlin, a week across it", "Europe/Berlin", "2026-03-28T11:00:00Z", "FIRST_WEEK", "2026-04-04T10:00:00.000Z"],
    // Hours are hours: 00:30 CET plus 4 h is 05:30 CEST on the clock.
    [
      "Berlin, 4 hours across the skipped hour",
      "Europe/Berlin",
      "2026-03-28T23:30:00Z",
      "FOUR_HOURS",
      "2026-03-29T03:30:00.000Z",
    ],
    // Saturday 02:30 CET: Sunday has no 02:30, the clock jumps to 03:30 CEST (the same instant + 23 h).
    [
      "Berlin, a day onto a wall time that does not exist",
      "Europe/Berlin",
      "2026-03-28T01:30:00Z",
      "FIRST_DAY",
      "2026-03-29T01:30:00.000Z",
    ],
    [
      "New York, a day across the end of daylight time",
      "America/New_York",
      "2026-10-31T13:00:00Z",
      "FIRST_DAY",
      "2026-11-01T14:00:00.000Z",
    ],
    [
      "New York, a week from the same instant as Berlin's",
      "America/New_York",
      "2026-10-23T15:00:00Z",
      "FIRST_WEEK",
      "2026-10-30T15:00:00.000Z",
    ],
    [
      "Kolkata (no summer time), a week is 168 h",
      "Asia/Kolkata",
      "2026-10-23T15:00:00Z",
      "FIRST_WEEK",
      "2026-10-30T15:00:00.000Z",
    ],
    // Lord Howe Island moves its clocks by 30 minutes.
    [
      "Lord Howe, a day across its half-hour change",
      "Australia/Lord_Howe",
      "2026-04-03T23:00:00Z",
      "FIRST_DAY",
      "2026-04-04T23:30:00.000Z",
    ],
    [
      "Auckland, a week across the start of its summer time",
      "Pacific/Auckland",
      "2026-09-22T22:00:00Z",
      "FIRST_WEEK",
      "2026-09-29T21:00:00.000Z",
    ],
  ])("%s", (_, zone, deployed, due, expected) => {
    expect(followUpDueAt(at(deployed), due, zone).toISOString()).toBe(expected);
  });
});

describe("formatDueTime", () => {
  it.each([
    ["2026-03-29T03:30:00Z", "Europe/Berlin", "Sun 29 Mar, 05:30 CEST"],
    ["2026-10-30T16:00:00Z", "Europe/Berlin", "Fri 30 Oct, 17:00 CET"],
    ["2026-10-30T15:00:00Z", "America/New_York", "Fri 30 Oct, 11:00 GMT-4"],
    ["2026-12-12T10:00:00Z", "UTC", "Sat 12 Dec, 10:00 UTC"],
  ])("%s in %s reads %s", (iso, zone, expected) => {
    expect(formatDueTime(at(iso), zone)).toBe(expected);
  });
});

describe("followUpState", () => {
  const dueAt = at("2026-12-05T11:00:00Z");
  it.each([
    ["open before it is due", { checkedAt: null, closedAt: null, dueAt }, "2026-12-05T10:59:59Z", "open"],
    ["overdue from its due time", { checkedAt: null, closedAt: null, dueAt }, "2026-12-05T11:00:00Z", "overdue"],
    [
      "done once ticked, even late",
      { checkedAt: at("2026-12-05T12:00:00Z"), closedAt: null, dueAt },
      "2026-12-06T00:00:00Z",
      "done",
    ],
    [
      "closed by a rollback",
      { checkedAt: null, closedAt: at("2026-12-05T10:30:00Z"), dueAt },
      "2026-12-06T00:00:00Z",
      "closed",
    ],
  ])("%s", (_, item, now, expected) => {
    expect(followUpState(item, at(now))).toBe(expected);
  });
});
