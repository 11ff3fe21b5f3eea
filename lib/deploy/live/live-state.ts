import { effectiveShare } from "@/lib/deploy/strategies/canary-traffic";
import { containerImage, revisionOf } from "@/lib/deploy/strategies/rollout-status";
import { previewRollback, rollbackHistory, type RollbackPreview } from "@/lib/deploy/rollback/preview";
import { colorDeployment } from "@/lib/deploy/strategies/blue-green";
import { canaryDeployment } from "@/lib/deploy/strategies/canary";
import type { DeployTarget, StrategyName } from "@/lib/deploy/types";
import { gatewayFor, type ClusterReader } from "@/lib/k8s/gateway";
import { cachedReader, type ClusterView, type WatchState } from "@/lib/k8s/informers";
import { describeK8sError } from "@/lib/k8s/result";

export interface LiveState {
  strategy: StrategyName;
  image?: string;
  replicas: { ready: number; desired: number };
  detail: string;
  color?: string;
  canary?: { image?: string; replicas: number; weightPercent: number; exact: boolean };
  /** Exactly what the rollback button will do, or why it will not. */
  rollback: RollbackPreview;
  error?: string;
  /** How fresh the watch cache the numbers came from is (absent when read directly). */
  freshness?: WatchState;
}

/** A view's reader for a cluster: the watch cache (lib/k8s/informers.ts), or the gateway itself. */
export type ReaderFor = (cluster: string) => ClusterReader & Partial<Pick<ClusterView, "freshness">>;

const watchedReader: ReaderFor = (cluster) => cachedReader(cluster, gatewayFor(cluster));

/** What runs in the cluster right now for one service target, read through the watch cache. */
export async function liveState(
  target: DeployTarget,
  strategy: StrategyName,
  serviceId: string,
  environmentId: string,
  readerFor: ReaderFor = watchedReader,
): Promise<LiveState> {
  let gateway: ReturnType<ReaderFor>;
  try {
    gateway = readerFor(target.cluster);
  } catch (error) {
    return unavailable(strategy, error instanceof Error ? error.message : String(error));
  }
  const state = await readLiveState(gateway, target, strategy, serviceId, environmentId);
  return { ...state, freshness: gateway.freshness?.(target.namespace) };
}

async function readLiveState(
  gateway: ClusterReader,
  target: DeployTarget,
  strategy: StrategyName,
  serviceId: string,
  environmentId: string,
): Promise<LiveState> {
  const context = { gateway, target, now: () => new Date() };
  const rollback: Promise<RollbackPreview> = rollbackHistory(serviceId, environmentId)
    .then((history) => previewRollback(context, strategy, history))
    .catch(() => ({ ready: false, detail: "the deployment log could not be read" }));

  if (strategy === "BLUE_GREEN") {
    const service = await gateway.readService(target.namespace, target.kubeServiceName);
    if (!service.ok) return unavailable(strategy, describeK8sError(service.error));
    const color = service.value.spec?.selector?.[target.colorLabelKey];
    if (!color)
      return unavailable(
        strategy,
        `Service ${target.kubeServiceName} does not select a colour with "${target.colorLabelKey}"`,
      );
    const live = await gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, color));
    if (!live.ok) return unavailable(strategy, describeK8sError(live.error));
    return {
      strategy,
      color,
      image: containerImage(live.value, target.containerName),
      replicas: { ready: live.value.status?.readyReplicas ?? 0, desired: live.value.spec?.replicas ?? 0 },
      detail: `${color} is live`,
      rollback: await rollback,
    };
  }

  const stable = await gateway.readDeployment(target.namespace, target.deploymentName);
  if (!stable.ok) return unavailable(strategy, describeK8sError(stable.error));
  const replicas = { ready: stable.value.status?.readyReplicas ?? 0, desired: stable.value.spec?.replicas ?? 0 };
  const image = containerImage(stable.value, target.containerName);

  if (strategy === "ROLLING") {
    return { strategy, image, replicas, detail: `revision ${revisionOf(stable.value)}`, rollback: await rollback };
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
  return {
    strategy,
    image,
    replicas,
    detail: canaryReplicas > 0 ? `canary at ${weight} %` : "no canary running",
    canary: {
      image: canary.ok ? containerImage(canary.value, target.containerName) : undefined,
      replicas: canaryReplicas,
      weightPercent: weight,
      exact,
    },
    rollback: await rollback,
  };
}

function unavailable(strategy: StrategyName, error: string): LiveState {
  return {
    strategy,
    replicas: { ready: 0, desired: 0 },
    detail: "cluster unavailable",
    rollback: { ready: false, detail: "the cluster did not answer" },
    error,
  };
}
