import { describe, expect, it } from "vitest";
import {
  decodeCursor,
  durationSeconds,
  encodeCursor,
  exportFileName,
  exportHref,
  formatDuration,
  LOG_CSV_HEADER,
  logCsvRecord,
  logHref,
  parseInstant,
  spreadsheetSafe,
  toDatetimeLocal,
  untilExclusive,
  type LogEntry,
} from "@/lib/deploy/log";

const at = new Date("2026-12-04T10:30:15.123Z");

describe("the page cursor", () => {
  it.each([
    { at, id: "cmrun1" },
    { at: new Date("1999-01-01T00:00:00.000Z"), id: "a" },
    { at: new Date("2026-12-04T10:30:15.123Z"), id: "x".repeat(64) },
  ])("round-trips $id at $at", (cursor) => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  const b64 = (text: string) => Buffer.from(text).toString("base64url");
  it.each([
    ["empty", ""],
    ["not base64url", "abc+/="],
    ["no separator", b64("2026-12-04T10:30:15.123Z")],
    ["no id", b64("2026-12-04T10:30:15.123Z|")],
    ["an id with punctuation", b64("2026-12-04T10:30:15.123Z|a'; drop table x")],
    ["an id too long", b64(`2026-12-04T10:30:15.123Z|${"x".repeat(65)}`)],
    ["a time without milliseconds", b64("2026-12-04T10:30:15Z|abc")],
    ["an impossible date", b64("2026-02-30T10:30:15.123Z|abc")],
    ["a number", b64("1733300000000|abc")],
    ["far too long", "A".repeat(201)],
  ])("refuses %s", (_name, value) => {
    expect(decodeCursor(value)).toBeNull();
  });
});

describe("instants typed into the filter", () => {
  it.each([
    ["2026-12-04T10:30", "2026-12-04T10:30:00.000Z"],
    ["2026-12-04 10:30", "2026-12-04T10:30:00.000Z"],
    ["2026-12-04T10:30:15", "2026-12-04T10:30:15.000Z"],
    ["2026-12-04T10:30:15.5", "2026-12-04T10:30:15.500Z"],
    ["2026-12-04T10:30:15.123Z", "2026-12-04T10:30:15.123Z"],
    ["2026-12-04T10:30+02:00", "2026-12-04T08:30:00.000Z"],
    ["2026-12-04T10:30-05:30", "2026-12-04T16:00:00.000Z"],
    ["2026-12-04", "2026-12-04T00:00:00.000Z"],
    ["  2026-02-28T23:59  ", "2026-02-28T23:59:00.000Z"],
    ["2028-02-29", "2028-02-29T00:00:00.000Z"],
  ])("reads %j as %s", (input, expected) => {
    expect(parseInstant(input)?.toISOString()).toBe(expected);
  });

  it.each([
    "",
    "yesterday",
    "2026-13-01",
    "2026-02-29",
    "2026-04-31T10:00",
    "2026-12-04T24:00",
    "2026-12-04T10:60",
    "2026-12-04T10:30:61",
    "2026-12-04T10:30+15:00",
    "12/04/2026",
    "2026-12-04T10",
    "1733300000000",
  ])("refuses %j", (input) => {
    expect(parseInstant(input)).toBeNull();
  });

  it("shows an instant back as a datetime-local value in UTC", () => {
    expect(toDatetimeLocal(new Date("2026-12-04T10:30:00.000Z"))).toBe("2026-12-04T10:30");
    expect(toDatetimeLocal(at)).toBe("2026-12-04T10:30:15");
    expect(parseInstant(toDatetimeLocal(new Date("2026-12-04T10:30:00Z")))?.toISOString()).toBe(
      "2026-12-04T10:30:00.000Z",
    );
  });
});

describe("durations", () => {
  it.each([
    [null, at, null],
    [at, null, null],
    [at, at, 0],
    [at, new Date(at.getTime() + 1_499), 1],
    [at, new Date(at.getTime() + 90_000), 90],
    // A clock that went backwards is not a negative duration.
    [at, new Date(at.getTime() - 5_000), 0],
  ])("from %s to %s is %s s", (start, end, expected) => {
    expect(durationSeconds(start, end)).toBe(expected);
  });

  it.each([
    [null, "—"],
    [0, "0 s"],
    [59, "59 s"],
    [60, "1 min"],
    [185, "3 min 5 s"],
    [3600, "1 h"],
    [3720, "1 h 2 min"],
  ])("%s s reads %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("links keep the filters", () => {
  const filter = {
    service: "checkout",
    kind: "rollback" as const,
    person: "automatic",
    from: new Date("2026-12-01T00:00:00Z"),
  };

  it("builds the first, an older and a newer page", () => {
    expect(logHref({})).toBe("/deployments");
    expect(logHref(filter)).toBe(
      "/deployments?service=checkout&kind=rollback&person=automatic&from=2026-12-01T00%3A00",
    );
    const older = new URL(logHref(filter, { before: { at, id: "r1" } }), "http://x");
    expect(decodeCursor(older.searchParams.get("before")!)).toEqual({ at, id: "r1" });
    expect(older.searchParams.get("service")).toBe("checkout");
    const newer = new URL(logHref({}, { after: { at, id: "r2" } }), "http://x");
    expect(decodeCursor(newer.searchParams.get("after")!)).toEqual({ at, id: "r2" });
    expect(newer.searchParams.has("before")).toBe(false);
  });

  it("exports the same filters", () => {
    expect(exportHref({})).toBe("/api/deployments/export");
    expect(exportHref({ outcome: "FAILED", to: at })).toBe(
      "/api/deployments/export?outcome=FAILED&to=2026-12-04T10%3A30%3A15",
    );
  });
});

describe("the end of a range includes what it names", () => {
  it.each([
    ["a minute, as a datetime-local input sends it", "2026-12-04T10:30:00.000Z", "2026-12-04T10:31:00.000Z"],
    ["a second", "2026-12-04T10:30:15.000Z", "2026-12-04T10:30:16.000Z"],
    ["a millisecond", "2026-12-04T10:30:15.123Z", "2026-12-04T10:30:15.124Z"],
    ["23:59, the end of a date typed alone", "2026-12-04T23:59:00.000Z", "2026-12-05T00:00:00.000Z"],
  ])("%s", (_name, to, until) => {
    expect(untilExclusive(new Date(to)).toISOString()).toBe(until);
  });
});

describe("cells a spreadsheet would run as formulas", () => {
  it.each([
    ['=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'],
    ["+1 555", "'+1 555"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    ["5xx spike after 1.4.3", "5xx spike after 1.4.3"],
    ["registry/shop:1.0.0", "registry/shop:1.0.0"],
    ["", ""],
  ])("%j → %j", (cell, safe) => {
    expect(spreadsheetSafe(cell)).toBe(safe);
  });
});

describe("the CSV record", () => {
  const entry: LogEntry = {
    source: "run",
    id: "run1",
    runId: "run1",
    kind: "deploy",
    at: new Date("2026-12-04T10:00:00.000Z"),
    status: "SUCCEEDED",
    service: { name: "checkout", displayName: "Checkout" },
    environment: { name: "production", displayName: "Production" },
    strategy: "BLUE_GREEN",
    fromImage: "shop/checkout:1.4.2",
    toImage: "shop/checkout:1.5.0",
    requestedBy: { id: "u1", name: "Riley Morgan" },
    approvers: [
      { name: "Casey Ortiz", role: "CTO" },
      { name: "Erin Lee", role: "ENGINEERING_LEAD" },
    ],
    release: { id: "rel1", number: 42, revision: 2 },
    startedAt: new Date("2026-12-04T10:00:01.000Z"),
    finishedAt: new Date("2026-12-04T10:01:31.400Z"),
    reason: null,
    outcome: "Traffic switched to green.",
    dryRun: false,
  };

  it("has one value per header column, times in UTC, the duration in seconds", () => {
    const record = logCsvRecord(entry);
    expect(record).toHaveLength(LOG_CSV_HEADER.length);
    const byColumn = Object.fromEntries(LOG_CSV_HEADER.map((h, i) => [h, record[i]]));
    expect(byColumn).toMatchObject({
      kind: "deploy",
      requested_at: "2026-12-04T10:00:00.000Z",
      requested_by: "Riley Morgan",
      approved_by: "Casey Ortiz (CTO); Erin Lee (ENGINEERING_LEAD)",
      release: "R-42 rev 2",
      started_at: "2026-12-04T10:00:01.000Z",
      duration_seconds: "90",
      status: "SUCCEEDED",
      reason: "",
    });
  });

  it("neutralises a reason typed as a formula", () => {
    const record = logCsvRecord({ ...entry, reason: "=cmd|' /C calc'!A0" });
    expect(record[LOG_CSV_HEADER.indexOf("reason")]).toBe("'=cmd|' /C calc'!A0");
  });

  it("says an automatic run was Greenlight's, and leaves unknown values empty", () => {
    const record = logCsvRecord({
      ...entry,
      kind: "rollback",
      requestedBy: null,
      approvers: [],
      release: null,
      finishedAt: null,
      reason: "SLI breach",
    });
    const byColumn = Object.fromEntries(LOG_CSV_HEADER.map((h, i) => [h, record[i]]));
    expect(byColumn).toMatchObject({
      requested_by: "Greenlight (automatic)",
      approved_by: "",
      release: "",
      finished_at: "",
      duration_seconds: "",
      reason: "SLI breach",
    });
  });

  it("names the export file after the time it was made", () => {
    expect(exportFileName(new Date("2026-12-04T10:30:15.123Z"))).toBe("deployment-log-20261204T103015Z.csv");
  });
});
