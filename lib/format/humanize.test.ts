import { describe, expect, it } from "vitest";
import { humanize } from "@/lib/format/humanize";

describe("humanize", () => {
  it.each([
    ["ROLLED_BACK", "rolled back"],
    ["QUEUED", "queued"],
    ["BLUE_GREEN", "blue green"],
    ["CHANGES_REQUESTED", "changes requested"],
    ["A_B_C", "a b c"],
    ["", ""],
  ])("%s → %s", (value, expected) => expect(humanize(value)).toBe(expected));
});
