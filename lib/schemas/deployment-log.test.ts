import { describe, expect, it } from "vitest";
import { encodeCursor } from "@/lib/deploy/log";
import { filterOf, parseLogQuery } from "@/lib/schemas/deployment-log";

const cursor = { at: new Date("2026-12-04T10:00:00.000Z"), id: "run1" };

describe("reading the log's filters from a URL", () => {
  it.each([
    ["nothing", {}, {}],
    ["blank values from the form's All", { service: "", kind: "", person: "", from: "" }, {}],
    [
      "a service and environment",
      { service: "checkout", environment: "production" },
      { service: "checkout", environment: "production" },
    ],
    ["a kind", { kind: "rollback" }, { kind: "rollback" }],
    ["an outcome", { outcome: "ROLLED_BACK" }, { outcome: "ROLLED_BACK" }],
    ["a person", { person: "cmabc123" }, { person: "cmabc123" }],
    ["automatic", { person: "automatic" }, { person: "automatic" }],
    ["repeated keys: the first", { kind: ["abort", "deploy"] }, { kind: "abort" }],
    [
      "a range",
      { from: "2026-12-01T00:00", to: "2026-12-04" },
      // A date alone as "To" is the whole day: up to 23:59, whose minute is included.
      { from: new Date("2026-12-01T00:00:00Z"), to: new Date("2026-12-04T23:59:00Z") },
    ],
    ["an older page", { before: encodeCursor(cursor) }, { before: cursor }],
    ["a newer page", { after: encodeCursor(cursor) }, { after: cursor }],
    ["unknown keys are ignored", { page: "3", sort: "asc" }, {}],
  ])("understands %s", (_name, input, expected) => {
    expect(parseLogQuery(input)).toEqual({ query: expected, errors: [] });
  });

  it("reads URLSearchParams the same way", () => {
    const params = new URLSearchParams("kind=promote&outcome=ABORTED&person=automatic");
    expect(parseLogQuery(params)).toEqual({
      query: { kind: "promote", outcome: "ABORTED", person: "automatic" },
      errors: [],
    });
  });

  it.each([
    [
      "an unknown kind",
      { kind: "restart", service: "checkout" },
      /Kind must be one of deploy, rollback, promote, abort/,
    ],
    ["a lower-case outcome", { outcome: "failed" }, /Outcome must be one of .*rolled back/],
    ["a service that is not a name", { service: "Check Out!" }, /Service must be a name/],
    ["a long environment", { environment: "x".repeat(65) }, /at most 64/],
    ["a person with punctuation", { person: "u1'; --" }, /Person must be someone from the list/],
    ["a date that does not exist", { from: "2026-02-30T10:00" }, /From must be a date and time/],
    ["words for a date", { to: "yesterday" }, /To must be a date and time/],
    ["a forged cursor", { before: "not-a-cursor" }, /older page link is not valid/],
  ])("explains %s and keeps the rest", (_name, input: Record<string, string>, message) => {
    const { query, errors } = parseLogQuery(input);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    const good = Object.fromEntries(
      Object.entries(input).filter(([k]) => k === "service" && input.service === "checkout"),
    );
    expect(query).toEqual(good);
  });

  it("drops a reversed range as a whole", () => {
    const { query, errors } = parseLogQuery({ from: "2026-12-04", to: "2026-12-01", kind: "deploy" });
    expect(errors).toEqual(["To must be after From."]);
    expect(query).toEqual({ kind: "deploy" });
  });

  it("refuses two page links at once", () => {
    const { query, errors } = parseLogQuery({ before: encodeCursor(cursor), after: encodeCursor(cursor) });
    expect(errors).toEqual(["A page link is either older or newer, not both."]);
    expect(query).toEqual({});
  });

  it("reports every bad value", () => {
    expect(parseLogQuery({ kind: "x", outcome: "y", from: "z" }).errors).toHaveLength(3);
  });

  it("leaves the page out of the filters", () => {
    const { query } = parseLogQuery({ kind: "deploy", before: encodeCursor(cursor) });
    expect(filterOf(query)).toEqual({ kind: "deploy" });
  });
});
