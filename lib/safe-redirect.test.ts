import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/safe-redirect";

describe("safeCallbackPath", () => {
  it.each([
    ["/releases?service=checkout", "/releases?service=checkout"],
    ["/releases/abc#approvals", "/releases/abc#approvals"],
    ["/", "/"],
  ])("keeps %s", (input, expected) => expect(safeCallbackPath(input)).toBe(expected));

  it.each([
    undefined,
    null,
    "",
    "//evil.example/x",
    "/\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "releases",
  ])("keeps %j on this site", (input) => {
    const path = safeCallbackPath(input);
    expect(path).toMatch(/^\/(?![\/\\])/);
    expect(new URL(path, "https://greenlight.example").origin).toBe("https://greenlight.example");
  });

  it("turns off-site paths into /", () => {
    expect(safeCallbackPath("//evil.example/x")).toBe("/");
    expect(safeCallbackPath("/\\evil.example")).toBe("/");
  });
});
