import { describe, expect, it } from "vitest";
import { severityFromLabel } from "@/lib/alerts/severity";

describe("severityFromLabel", () => {
  it.each([
    ["P1", "P3", "P1"],
    ["p2", "P3", "P2"],
    [" P4 ", "P3", "P4"],
    ["critical", "P3", "P1"],
    ["CRITICAL", "P3", "P1"],
    ["high", "P4", "P2"],
    ["warning", "P1", "P3"],
    ["info", "P1", "P4"],
    ["page", "P3", "P3"],
    ["", "P2", "P2"],
    ["P5", "P3", "P3"],
    [undefined, "P4", "P4"],
  ] as const)("%j with default %s is %s", (value, fallback, expected) => {
    expect(severityFromLabel(value, fallback)).toBe(expected);
  });
});
