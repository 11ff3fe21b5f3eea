import { describe, expect, it } from "vitest";
import { describeChanges, nextRevision, type ReleaseContent } from "@/lib/releases/revision";

const base: ReleaseContent = {
  imageRef: "ghcr.io/acme/checkout:1.0.0",
  imageDigest: null,
  strategy: "ROLLING",
  environmentId: "prod",
  changeSummary: "Adds Apple Pay.",
  links: [{ label: "PR 1", url: "https://git.example.com/pr/1" }],
};

describe("release revision rule", () => {
  it.each<[string, Partial<ReleaseContent>, number, string[]]>([
    ["a save that changes nothing", {}, 3, []],
    ["new image", { imageRef: "ghcr.io/acme/checkout:1.0.1" }, 4, ["image"]],
    ["digest added", { imageDigest: "sha256:" + "b".repeat(64) }, 4, ["digest"]],
    ["new strategy", { strategy: "CANARY" }, 4, ["strategy"]],
    ["new target", { environmentId: "staging" }, 4, ["target"]],
    ["reworded summary", { changeSummary: "Adds Apple Pay behind a flag." }, 4, ["summary"]],
    ["another link", { links: [...base.links, { label: "Ticket", url: "https://t.example.com/1" }] }, 4, ["links"]],
    ["links reordered", { links: [{ label: "PR 1", url: "https://git.example.com/pr/2" }] }, 4, ["links"]],
    [
      "image and strategy",
      { imageRef: "ghcr.io/acme/checkout:2.0.0", strategy: "BLUE_GREEN" },
      4,
      ["image", "strategy"],
    ],
  ])("%s", (_name, change, revision, changes) => {
    expect(nextRevision(3, base, { ...base, ...change })).toEqual({ revision, changes });
  });

  it("bumps by exactly one however much changed", () => {
    const next: ReleaseContent = {
      imageRef: "x:2",
      imageDigest: "sha256:" + "c".repeat(64),
      strategy: "CANARY",
      environmentId: "staging",
      changeSummary: "All new.",
      links: [],
    };
    expect(nextRevision(1, base, next)).toEqual({
      revision: 2,
      changes: ["image", "digest", "strategy", "target", "summary", "links"],
    });
  });

  it("says what changed", () => {
    expect(describeChanges(["image"])).toBe("image changed");
    expect(describeChanges(["image", "strategy"])).toBe("image and strategy changed");
    expect(describeChanges(["image", "digest", "strategy"])).toBe("image, digest and strategy changed");
    expect(describeChanges([])).toBe("nothing changed");
  });
});
