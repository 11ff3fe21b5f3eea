import { describe, expect, it } from "vitest";
import { createReleaseSchema, releaseFilterSchema, updateReleaseSchema } from "@/lib/schemas/release";

const valid = {
  serviceId: "cm1abc",
  environmentId: "cm1def",
  imageRef: "ghcr.io/acme/checkout:1.4.2",
  strategy: "BLUE_GREEN",
  changeSummary: "Faster checkout: one fewer round trip to payments.",
  links: [{ label: "PR 42", url: "https://github.com/acme/checkout/pull/42" }],
};

function messages(input: unknown) {
  const result = createReleaseSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("createReleaseSchema", () => {
  it("accepts a complete release and trims text", () => {
    const parsed = createReleaseSchema.parse({ ...valid, changeSummary: `  ${valid.changeSummary}  ` });
    expect(parsed.changeSummary).toBe(valid.changeSummary);
  });

  it("defaults links to none", () => {
    const { links: _links, ...rest } = valid;
    expect(createReleaseSchema.parse(rest).links).toEqual([]);
  });

  it.each([
    ["a malformed image", { imageRef: "ghcr.io/acme/Checkout" }, "imageRef: Repository names must be lowercase."],
    ["an image without tag or digest", { imageRef: "ghcr.io/acme/checkout" }, "imageRef: Give a tag or a digest"],
    ["an unknown strategy", { strategy: "YOLO" }, "strategy: Choose a strategy"],
    [
      "HTML in the summary",
      { changeSummary: "Fixes <script>alert(1)</script> in cart" },
      "changeSummary: Change summary must be plain text",
    ],
    [
      "an oversized summary",
      { changeSummary: "x".repeat(5001) },
      "changeSummary: Change summary can be at most 5000 characters.",
    ],
    ["a too short summary", { changeSummary: "fix" }, "changeSummary: Change summary needs at least 10 characters."],
    [
      "a javascript: link",
      { links: [{ label: "x", url: "javascript:alert(1)" }] },
      "links.0.url: Enter a full http:// or https:// address.",
    ],
    [
      "too many links",
      { links: Array.from({ length: 11 }, (_, i) => ({ label: `l${i}`, url: "https://a.example" })) },
      "links: At most 10 links.",
    ],
    ["an id with SQL in it", { serviceId: "x' or 1=1 --" }, "serviceId: Not a valid id."],
    [
      "control characters",
      { changeSummary: "ok summary\u0007 with bell" },
      "changeSummary: Change summary contains invisible or control characters (U+0007 at position 11); remove them and type the text again.",
    ],
  ])("rejects %s", (_name, change, message) => {
    expect(messages({ ...valid, ...change }).join("\n")).toContain(message);
  });

  it("requires the service, environment and summary", () => {
    const result = messages({ imageRef: valid.imageRef, strategy: "ROLLING" });
    expect(result).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^serviceId:/),
        expect.stringMatching(/^environmentId:/),
        expect.stringMatching(/^changeSummary:/),
      ]),
    );
  });
});

describe("updateReleaseSchema", () => {
  it("needs the revision the editor saw", () => {
    const { serviceId: _s, environmentId: _e, ...fields } = valid;
    expect(updateReleaseSchema.safeParse({ releaseId: "cm1abc", ...fields }).success).toBe(false);
    expect(updateReleaseSchema.safeParse({ releaseId: "cm1abc", expectedRevision: 2, ...fields }).success).toBe(true);
  });
});

describe("releaseFilterSchema", () => {
  it("ignores nonsense in the URL instead of failing the page", () => {
    expect(releaseFilterSchema.parse({ status: "NOPE", page: "-3" })).toEqual({
      page: 1,
      status: undefined,
      service: undefined,
      environment: undefined,
    });
    expect(releaseFilterSchema.parse({ status: "DEPLOYED", page: "2", service: "checkout" })).toMatchObject({
      status: "DEPLOYED",
      page: 2,
      service: "checkout",
    });
  });
});
