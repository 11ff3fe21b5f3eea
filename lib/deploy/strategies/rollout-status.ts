import type { V1Deployment } from "@kubernetes/client-node";

export type RolloutStatus =
  | { state: "done"; message: string }
  | { state: "progressing"; message: string }
  | { state: "failed"; message: string };

/**
 * Where a Deployment's rollout stands, read the way `kubectl rollout status` reads it:
 * observedGeneration, the Progressing condition, then updated / total / available replicas.
 */
export function rolloutStatus(deployment: V1Deployment): RolloutStatus {
  const name = deployment.metadata?.name ?? "deployment";
  const generation = deployment.metadata?.generation ?? 0;
  const status = deployment.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) {
    return { state: "progressing", message: `waiting for ${name}'s new spec to be observed` };
  }
  const progressing = status.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") {
    return {
      state: "failed",
      message: `${name} exceeded its progress deadline: ${progressing.message ?? "rollout stalled"}`,
    };
  }
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired)
    return { state: "progressing", message: `${updated} of ${desired} new replicas of ${name} updated` };
  if (total > updated)
    return { state: "progressing", message: `${total - updated} old replicas of ${name} pending termination` };
  if (available < updated)
    return { state: "progressing", message: `${available} of ${updated} updated replicas of ${name} available` };
  return { state: "done", message: `${name} rolled out: ${available} of ${desired} replicas available` };
}

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

export function revisionOf(object: { metadata?: { annotations?: Record<string, string> } }): number {
  return Number(object.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
}

export function containerImage(deployment: V1Deployment, container: string): string | undefined {
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  return (containers.find((c) => c.name === container) ?? containers[0])?.image;
}
