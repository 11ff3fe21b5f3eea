import { describe, expect, it } from "vitest";
import { parseImageReference, shortImage } from "@/lib/releases/image-reference";

const SHA = "sha256:" + "a".repeat(64);

describe("parseImageReference", () => {
  it.each([
    ["ghcr.io/acme/checkout:1.4.2", { domain: "ghcr.io", repository: "ghcr.io/acme/checkout", tag: "1.4.2" }],
    ["nginx:1.27", { domain: undefined, repository: "nginx", tag: "1.27" }],
    ["library/nginx:1.27-alpine", { domain: undefined, repository: "library/nginx", tag: "1.27-alpine" }],
    ["localhost:5000/team/app:v2", { domain: "localhost:5000", repository: "localhost:5000/team/app", tag: "v2" }],
    ["localhost/app:dev", { domain: "localhost", repository: "localhost/app", tag: "dev" }],
    [
      `registry.example.com:443/a/b/c@${SHA}`,
      { domain: "registry.example.com:443", repository: "registry.example.com:443/a/b/c", digest: SHA },
    ],
    [`ghcr.io/acme/checkout:1.4.2@${SHA}`, { tag: "1.4.2", digest: SHA }],
    ["[::1]:5000/app:1", { domain: "[::1]:5000", repository: "[::1]:5000/app", tag: "1" }],
    ["my_org/my__app:1_0", { repository: "my_org/my__app", tag: "1_0" }],
    ["a-b---c/d.e:T", { repository: "a-b---c/d.e", tag: "T" }],
  ])("accepts %s", (ref, expected) => {
    const result = parseImageReference(ref);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toMatchObject(expected);
  });

  it.each([
    ["", "Enter an image reference"],
    ["ghcr.io/acme/checkout", "Give a tag or a digest"],
    ["ghcr.io/Acme/checkout:1", "lowercase"],
    ["Checkout:1", "lowercase"],
    ["ghcr.io/acme/checkout:1 2", "spaces"],
    ["ghcr.io/acme/checkout:", "Not a valid image reference"],
    ["ghcr.io/acme/checkout:-1", "Not a valid image reference"],
    [`ghcr.io/acme/checkout:${"x".repeat(129)}`, "Not a valid image reference"],
    ["ghcr.io/acme/checkout@sha256:abc", "Not a valid image reference"],
    [`ghcr.io/acme/checkout@sha256:${"A".repeat(64)}`, "64 lowercase"],
    [`ghcr.io/acme/checkout@sha256:${"a".repeat(63)}b0`, "64 lowercase"],
    ["ghcr.io//checkout:1", "Not a valid image reference"],
    ["ghcr.io/acme/checkout:1.0<script>", "Not a valid image reference"],
    [`${"a".repeat(250)}/${"b".repeat(10)}:1`, "longer than 255"],
    ["https://ghcr.io/acme/app:1", "Not a valid image reference"],
    [`ghcr.io/acme/checkout@md5:${"a".repeat(32)}`, "sha256"],
  ])("rejects %j", (ref, reason) => {
    const result = parseImageReference(ref);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it("shortens for lists", () => {
    expect(shortImage("ghcr.io/acme/checkout:1.4.2")).toBe("checkout:1.4.2");
    expect(shortImage(`ghcr.io/acme/checkout@${SHA}`)).toBe("checkout@sha256:aaaaaaaaaaaa");
  });
});
