import { describe, expect, it } from "vitest";
import {
  canaryReplicasForShare,
  canaryReplicasForWeight,
  effectiveShare,
} from "@/lib/deploy/strategies/canary-traffic";

describe("canary traffic by replica ratio", () => {
  it.each([
    [3, 5, 1, 25],
    [3, 25, 1, 25],
    [3, 50, 3, 50],
    [19, 5, 1, 5],
    [4, 20, 1, 20],
    [10, 50, 10, 50],
    [3, 0, 0, 0],
  ])("stable %i at %i%% → %i canary replicas (%i%% really)", (stable, percent, replicas, share) => {
    expect(canaryReplicasForShare(stable, percent)).toBe(replicas);
    expect(effectiveShare(stable, replicas)).toBe(share);
  });

  it("scales the canary for an ingress weight", () => {
    expect(canaryReplicasForWeight(3, 5)).toBe(1);
    expect(canaryReplicasForWeight(10, 50)).toBe(5);
    expect(canaryReplicasForWeight(10, 0)).toBe(0);
  });
});
