import { describe, expect, it } from "vitest";
import { planFor } from "@/lib/deploy/engine/plan";

const names = (...args: Parameters<typeof planFor>) => planFor(...args).map((s) => s.name);

describe("plans", () => {
  it.each([
    ["DEPLOY", "ROLLING", ["inspect", "set-image", "smoke-first-pod", "wait-rollout", "smoke-after-rollout"]],
    ["ROLLBACK", "ROLLING", ["find-good-revision", "restore-template", "wait-rollout"]],
    [
      "DEPLOY",
      "BLUE_GREEN",
      [
        "inspect",
        "prepare-idle-color",
        "wait-idle-ready",
        "smoke-idle-color",
        "switch-traffic",
        "verify-traffic",
        "smoke-after-switch",
      ],
    ],
    ["ROLLBACK", "BLUE_GREEN", ["switch-back", "verify-traffic"]],
    [
      "DEPLOY",
      "CANARY",
      [
        "inspect",
        "start-canary",
        "smoke-canary",
        "traffic-steps",
        "promote-stable",
        "wait-stable",
        "retire-canary",
        "smoke-after-promote",
      ],
    ],
    ["ROLLBACK", "CANARY", ["retire-canary", "restore-stable", "wait-stable"]],
    ["ABORT", "CANARY", ["retire-canary"]],
  ] as const)("%s %s", (kind, strategy, expected) => {
    expect(names(kind, strategy)).toEqual(expected);
  });

  it("drops the waits from a dry run; the smoke checks say what they would run", () => {
    expect(names("DEPLOY", "BLUE_GREEN", { dryRun: true })).toEqual([
      "inspect",
      "prepare-idle-color",
      "smoke-idle-color",
      "switch-traffic",
      "smoke-after-switch",
    ]);
  });
});
