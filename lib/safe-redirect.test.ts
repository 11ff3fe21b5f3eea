import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/safe-redirect";

const SITE = "https://greenlight.example";

/** What a browser would do with the answer: it must land on this site, on a path (not a host). */
function expectOnSite(path: string) {
  expect(path).toMatch(/^\/(?![\/\\])/);
  expect(path).not.toMatch(/[\t\n\r]/);
  expect(new URL(path, SITE).origin).toBe(SITE);
  // Resolved twice (a redirect to a redirect) it still stays here.
  expect(new URL(new URL(path, SITE).href.slice(SITE.length), SITE).origin).toBe(SITE);
}

describe("safeCallbackPath", () => {
  it.each([
    ["/releases?service=checkout", "/releases?service=checkout"],
    ["/releases/abc#approvals", "/releases/abc#approvals"],
    ["/", "/"],
    ["/releases/./abc", "/releases/abc"],
    ["/releases/x/../abc", "/releases/abc"],
    ["/a/%2F%2Fevil.example", "/a/%2F%2Fevil.example"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%5Cevil.example", "/%5Cevil.example"],
    ["/incidents?next=//evil.example", "/incidents?next=//evil.example"],
  ])("keeps %j as %j", (input, expected) => expect(safeCallbackPath(input)).toBe(expected));

  it.each([
    undefined,
    null,
    "",
    "releases",
    "https://evil.example/",
    "javascript:alert(1)",
    "//evil.example/x",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\t\t/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "/.\\/evil.example",
    "/././/evil.example",
    "/..//evil.example",
    "/../..//evil.example",
    "/a/..//evil.example",
    "/a/b/../..//evil.example",
    "/%2e//evil.example",
    "/%2E//evil.example",
    "/%2e%2e//evil.example",
    "/.%2e//evil.example",
    "/a/%2e%2e//evil.example",
    "/.\t//evil.example",
    "/.\n//evil.example",
    "/\t.//evil.example",
    "/.//\\evil.example",
    "/./\t/evil.example",
    "/.\\\\evil.example",
    "/..\\\\evil.example",
    "/a\\..\\\\evil.example",
    "/.//evil.example/path?q=1#h",
    "/.//evil.example:443/",
    "/.//user:pass@evil.example",
    "/.///evil.example",
    "/.%2f/evil.example",
    "/./%5C/evil.example",
  ])("keeps %j on this site", (input) => {
    expectOnSite(safeCallbackPath(input));
  });

  it.each(["//evil.example/x", "/\\evil.example", "/.//evil.example", "/..//evil.example", "/%2e//evil.example"])(
    "turns the off-site %j into /",
    (input) => expect(safeCallbackPath(input)).toBe("/"),
  );
});
