import { db } from "@/lib/db";
import { effectiveShare } from "@/lib/deploy/canary-traffic";
import { containerImage, revisionOf } from "@/lib/deploy/rollout-status";
import { blueGreenRollbackReady, colorDeployment } from "@/lib/deploy/strategies/blue-green";
import { canaryDeployment } from "@/lib/deploy/strategies/canary";
import { rollingRollbackReady } from "@/lib/deploy/strategies/rolling";
import type { DeployTarget, StrategyName } from "@/lib/deploy/types";
import { gatewayFor as defaultGatewayFor, type ClusterGateway } from "@/lib/k8s/gateway";
import { describeK8sError } from "@/lib/k8s/result";

export interface LiveState {
  strategy: StrategyName;
  image?: string;
  replicas: { ready: number; desired: number };
  detail: string;
  color?: string;
  canary?: { image?: string; replicas: number; weightPercent: number; exact: boolean };
  rollback: { ready: boolean; detail: string };
  error?: string;
}

/** What runs in the cluster right now for one service target, read through the gateway. */
export async function liveState(target: DeployTarget, strategy: StrategyName, serviceId: string, environmentId: string, gatewayFor: (c: string) => ClusterGateway = defaultGatewayFor): Promise<LiveState> {
  let gateway: ClusterGateway;
  try {
    gateway = gatewayFor(target.cluster);
  } catch (error) {
    return unavailable(strategy, error instanceof Error ? error.message : String(error));
  }
  const context = { gateway, target, image: "", dryRun: true, now: () => new Date() };

  if (strategy === "BLUE_GREEN") {
    const last = await db.deploymentRun.findFirst({ where: { serviceId, environmentId, kind: "DEPLOY", status: "SUCCEEDED" }, orderBy: { finishedAt: "desc" }, select: { rollbackTarget: true } });
    const recorded = (last?.rollbackTarget as { strategy?: string; color?: string } | null)?.color;
    const readiness = await blueGreenRollbackReady(context, recorded);
    if (!readiness.live) return unavailable(strategy, readiness.detail);
    const live = await gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, readiness.live));
    if (!live.ok) return unavailable(strategy, describeK8sError(live.error));
    return {
      strategy,
      color: readiness.live,
      image: containerImage(live.value, target.containerName),
      replicas: { ready: live.value.status?.readyReplicas ?? 0, desired: live.value.spec?.replicas ?? 0 },
      detail: `${readiness.live} is live`,
      rollback: { ready: readiness.ready, detail: readiness.ready ? `switch back to ${readiness.detail}` : readiness.detail },
    };
  }

  const stable = await gateway.readDeployment(target.namespace, target.deploymentName);
  if (!stable.ok) return unavailable(strategy, describeK8sError(stable.error));
  const replicas = { ready: stable.value.status?.readyReplicas ?? 0, desired: stable.value.spec?.replicas ?? 0 };
  const image = containerImage(stable.value, target.containerName);

  if (strategy === "ROLLING") {
    const rollback = await rollingRollbackReady(context);
    return { strategy, image, replicas, detail: `revision ${revisionOf(stable.value)}`, rollback: { ready: rollback.ready, detail: rollback.ready ? `undo to ${rollback.detail}` : rollback.detail } };
  }

  const canary = await gateway.readDeployment(target.namespace, canaryDeployment(target.deploymentName));
  const canaryReplicas = canary.ok ? (canary.value.spec?.replicas ?? 0) : 0;
  let weight = effectiveShare(replicas.desired, canaryReplicas);
  let exact = false;
  if (target.canaryIngressName) {
    const ingress = await gateway.readIngress(target.namespace, target.canaryIngressName);
    if (ingress.ok) {
      weight = Number(ingress.value.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"] ?? 0);
      exact = true;
    }
  }
  const last = await db.deploymentRun.findFirst({ where: { serviceId, environmentId, kind: "DEPLOY", status: "SUCCEEDED" }, orderBy: { finishedAt: "desc" }, select: { fromImage: true } });
  return {
    strategy,
    image,
    replicas,
    detail: canaryReplicas > 0 ? `canary at ${weight} %` : "no canary running",
    canary: { image: canary.ok ? containerImage(canary.value, target.containerName) : undefined, replicas: canaryReplicas, weightPercent: weight, exact },
    rollback:
      canaryReplicas > 0
        ? { ready: true, detail: "stop the canary: all traffic back on stable" }
        : last?.fromImage
          ? { ready: true, detail: `put ${last.fromImage} back on stable` }
          : { ready: false, detail: "no earlier stable version recorded by Greenlight yet" },
  };
}

function unavailable(strategy: StrategyName, error: string): LiveState {
  return { strategy, replicas: { ready: 0, desired: 0 }, detail: "cluster unavailable", rollback: { ready: false, detail: "the cluster did not answer" }, error };
}
