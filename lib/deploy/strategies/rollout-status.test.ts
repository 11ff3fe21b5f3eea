import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { rolloutStatus } from "@/lib/deploy/strategies/rollout-status";

function deployment(status: NonNullable<V1Deployment["status"]>, generation = 2, replicas = 3): V1Deployment {
  return { metadata: { name: "web", generation }, spec: { replicas, selector: {}, template: {} }, status };
}

describe("rolloutStatus", () => {
  it.each<[string, V1Deployment, string, RegExp]>([
    [
      "new spec not yet observed",
      deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      "progressing",
      /observed/,
    ],
    [
      "replicas still updating",
      deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 3 }),
      "progressing",
      /1 of 3 new replicas/,
    ],
    [
      "old replicas terminating",
      deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }),
      "progressing",
      /1 old replicas/,
    ],
    [
      "updated but not available",
      deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }),
      "progressing",
      /2 of 3 updated replicas/,
    ],
    [
      "complete",
      deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      "done",
      /3 of 3 replicas available/,
    ],
    [
      "deadline exceeded",
      deployment({
        observedGeneration: 2,
        replicas: 4,
        updatedReplicas: 1,
        availableReplicas: 3,
        conditions: [
          {
            type: "Progressing",
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: 'ReplicaSet "web-abc" has timed out progressing.',
          },
        ],
      }),
      "failed",
      /progress deadline: ReplicaSet "web-abc" has timed out/,
    ],
    ["scaled to zero", deployment({ observedGeneration: 2 }, 2, 0), "done", /0 of 0/],
  ])("%s", (_name, d, state, message) => {
    const status = rolloutStatus(d);
    expect(status.state).toBe(state);
    expect(status.message).toMatch(message);
  });
});
