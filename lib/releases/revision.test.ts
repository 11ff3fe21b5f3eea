import { describe, expect, it } from "vitest";
import { describeChanges, nextRevision, type ReleaseBinding } from "@/lib/releases/revision";

const base: ReleaseBinding = { imageRef: "ghcr.io/acme/checkout:1.0.0", imageDigest: null, strategy: "ROLLING", environmentId: "prod" };

describe("release revision rule", () => {
  it.each<[string, Partial<ReleaseBinding>, number, string[]]>([
    ["no binding change", {}, 3, []],
    ["new image", { imageRef: "ghcr.io/acme/checkout:1.0.1" }, 4, ["image"]],
    ["digest added", { imageDigest: "sha256:" + "b".repeat(64) }, 4, ["digest"]],
    ["new strategy", { strategy: "CANARY" }, 4, ["strategy"]],
    ["new target", { environmentId: "staging" }, 4, ["target"]],
    ["image and strategy", { imageRef: "ghcr.io/acme/checkout:2.0.0", strategy: "BLUE_GREEN" }, 4, ["image", "strategy"]],
  ])("%s", (_name, change, revision, changes) => {
    expect(nextRevision(3, base, { ...base, ...change })).toEqual({ revision, changes });
  });

  it("bumps by exactly one however much changed", () => {
    const next = { imageRef: "x:2", imageDigest: "sha256:" + "c".repeat(64), strategy: "CANARY" as const, environmentId: "staging" };
    expect(nextRevision(1, base, next).revision).toBe(2);
  });

  it("says what changed", () => {
    expect(describeChanges(["image"])).toBe("image changed");
    expect(describeChanges(["image", "strategy"])).toBe("image and strategy changed");
    expect(describeChanges(["image", "digest", "strategy"])).toBe("image, digest and strategy changed");
    expect(describeChanges([])).toBe("nothing approvers signed changed");
  });
});
