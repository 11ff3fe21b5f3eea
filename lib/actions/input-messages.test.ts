import { describe, expect, it } from "vitest";
import { z } from "zod";
import { brokenTextPath, fieldLabel, issueMessage, MALFORMED_REQUEST } from "@/lib/actions/input-messages";

const schema = z.object({
  releaseId: z.string().trim().min(1).max(64),
  revision: z.number().int().positive(),
  decision: z.enum(["APPROVED", "REJECTED"]),
  checked: z.boolean(),
  links: z.array(z.object({ url: z.string() })).max(2),
  dueAt: z.union([z.literal(""), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional(),
  comment: z.string().min(3, "Say a little more."),
});
const valid = {
  releaseId: "r1",
  revision: 1,
  decision: "APPROVED",
  checked: true,
  links: [],
  comment: "Fine by me.",
};

function message(change: Record<string, unknown> | null): string {
  const result = schema.safeParse(change === null ? null : { ...valid, ...change }, { error: issueMessage });
  if (result.success) throw new Error("parsed");
  return result.error.issues[0].message;
}

describe("issueMessage", () => {
  it.each([
    [null, MALFORMED_REQUEST],
    [{ releaseId: undefined }, "Release id is required."],
    [{ releaseId: 5 }, "Release id must be text."],
    [{ releaseId: "" }, "Release id is required."],
    [{ releaseId: "x".repeat(65) }, "Release id can be at most 64 characters."],
    [{ revision: "1" }, "Revision must be a number."],
    [{ revision: 1.5 }, "Revision must be a whole number."],
    [{ revision: 0 }, "Revision must be more than 0."],
    [{ decision: "approved" }, 'Decision must be one of "APPROVED", "REJECTED".'],
    [{ checked: "true" }, "Checked must be yes or no."],
    [{ links: "x" }, "Links must be a list."],
    [{ links: [{ url: 1 }] }, "Url must be text."],
    [{ links: [{ url: "a" }, { url: "b" }, { url: "c" }] }, "Links can have at most 2 items."],
    [{ dueAt: 0 }, "Due at is not valid."],
    // The schema's own words win.
    [{ comment: "ok" }, "Say a little more."],
  ])("%j → %s", (change, expected) => {
    expect(message(change)).toBe(expected);
  });

  it("labels the last named segment of a path", () => {
    expect(fieldLabel(["links", 0, "url"])).toBe("Url");
    expect(fieldLabel(["approvalTtlHours"])).toBe("Approval ttl hours");
    expect(fieldLabel([])).toBeNull();
  });
});

describe("brokenTextPath", () => {
  it("finds half of a surrogate pair anywhere in the input, and lets whole pairs through", () => {
    expect(brokenTextPath({ a: "fine 😀", b: ["ok", { c: "half \uD83D here" }] })).toBe("b.1.c");
    expect(brokenTextPath({ a: "\uDE00" })).toBe("a");
    expect(brokenTextPath("\uD800")).toBe("");
    expect(brokenTextPath({ a: "fine 😀", n: 1, d: new Date(0), m: null })).toBeNull();
  });
});
