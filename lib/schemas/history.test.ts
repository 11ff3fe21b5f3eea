import { describe, expect, it } from "vitest";
import { decodeReleaseCursor, encodeReleaseCursor, historyHref, parseHistoryQuery } from "@/lib/schemas/history";

const now = new Date("2026-12-04T12:00:00Z");

describe("the History page's URL", () => {
  it.each([
    [{}, "2026-11-04T12:00:00.000Z", "2026-12-04T12:00:00.000Z", "Last 30 days", []],
    [{ range: "7d" }, "2026-11-27T12:00:00.000Z", "2026-12-04T12:00:00.000Z", "Last 7 days", []],
    [{ range: "90d" }, "2026-09-05T12:00:00.000Z", "2026-12-04T12:00:00.000Z", "Last 90 days", []],
    [
      { from: "2026-11-01", to: "2026-11-30" },
      "2026-11-01T00:00:00.000Z",
      "2026-12-01T00:00:00.000Z",
      "2026-11-01 – 2026-11-30 (UTC)",
      [],
    ],
    [
      { range: "1y" },
      "2026-11-04T12:00:00.000Z",
      "2026-12-04T12:00:00.000Z",
      "Last 30 days",
      ["Period must be 7, 30 or 90 days."],
    ],
    [
      { from: "2026-11-30", to: "2026-11-01" },
      "2026-11-04T12:00:00.000Z",
      "2026-12-04T12:00:00.000Z",
      "Last 30 days",
      ["To must not be before From."],
    ],
    [
      { from: "2026-11-01" },
      "2026-11-04T12:00:00.000Z",
      "2026-12-04T12:00:00.000Z",
      "Last 30 days",
      ["Give both From and To, or pick a preset period."],
    ],
    [
      { from: "2026-02-30", to: "2026-03-01" },
      "2026-11-04T12:00:00.000Z",
      "2026-12-04T12:00:00.000Z",
      "Last 30 days",
      ["From must be a real date."],
    ],
  ] as const)("%j → %s … %s", (raw, from, to, label, errors) => {
    const parsed = parseHistoryQuery({ ...raw }, now);
    expect(parsed.period.from.toISOString()).toBe(from);
    expect(parsed.period.to.toISOString()).toBe(to);
    expect(parsed.period.label).toBe(label);
    expect(parsed.errors).toEqual(errors);
  });

  it("keeps good filters when another value is bad", () => {
    const parsed = parseHistoryQuery({ service: "checkout", environment: "Prod!", range: "7d" }, now);
    expect(parsed.service).toBe("checkout");
    expect(parsed.environment).toBeUndefined();
    expect(parsed.period.range).toBe("7d");
    expect(parsed.errors).toHaveLength(1);
  });

  it("round-trips a page cursor and refuses a forged one", () => {
    const cursor = { createdAt: new Date("2026-11-05T10:00:00.123Z"), id: "clxyz123" };
    expect(decodeReleaseCursor(encodeReleaseCursor(cursor))).toEqual(cursor);
    expect(decodeReleaseCursor("bm90IGEgY3Vyc29y")).toBeNull();
    expect(parseHistoryQuery({ cursor: "bm90IGEgY3Vyc29y" }, now).errors).toEqual([
      "The page link is not valid; start again from the first page.",
    ]);
  });

  it.each(["2026-13-05T10:00:00.000Z", "2026-02-30T10:00:00.000Z", "2026-11-05T25:00:00.000Z"])(
    "refuses a cursor whose time has the right shape but is not a real instant: %s",
    (at) => {
      const forged = Buffer.from(`${at}|clxyz123`).toString("base64url");
      expect(decodeReleaseCursor(forged)).toBeNull();
      expect(parseHistoryQuery({ cursor: forged }, now).errors).toEqual([
        "The page link is not valid; start again from the first page.",
      ]);
    },
  );

  it("writes links with only what differs from the defaults", () => {
    expect(historyHref("/history", { range: "30d" })).toBe("/history");
    expect(historyHref("/history", { range: "7d", service: "checkout" })).toBe("/history?range=7d&service=checkout");
    expect(historyHref("/api/history/metrics.csv", { range: "7d", from: "2026-11-01", to: "2026-11-02" })).toBe(
      "/api/history/metrics.csv?from=2026-11-01&to=2026-11-02",
    );
  });
});
