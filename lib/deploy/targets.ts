import type { DeployTarget } from "@/lib/deploy/types";

/** A ServiceTarget row as Prisma returns it (the container name may be left to default). */
type ServiceTargetRow = Omit<DeployTarget, "containerName"> & { containerName: string | null };

export function deployTarget(row: ServiceTargetRow, serviceName: string): DeployTarget {
  return {
    cluster: row.cluster,
    namespace: row.namespace,
    deploymentName: row.deploymentName,
    containerName: row.containerName ?? serviceName,
    kubeServiceName: row.kubeServiceName,
    colorLabelKey: row.colorLabelKey,
    canaryIngressName: row.canaryIngressName,
    canarySteps: row.canarySteps,
    canaryPauseSeconds: row.canaryPauseSeconds,
    verifyWindowSeconds: row.verifyWindowSeconds,
    autoRollback: row.autoRollback,
    metricsSelector: row.metricsSelector,
  };
}

const BASE_DEADLINE_SECONDS = Number(process.env.RUN_DEADLINE_SECONDS ?? 600);

/** How long a run may take before it fails: canary pauses add to the base. */
export function runDeadlineSeconds(strategy: string, kind: string, target: Pick<ServiceTargetRow, "canarySteps" | "canaryPauseSeconds">): number {
  if (kind === "DEPLOY" && strategy === "CANARY") return BASE_DEADLINE_SECONDS + target.canarySteps.length * target.canaryPauseSeconds;
  return BASE_DEADLINE_SECONDS;
}
