import { db, type DbTx } from "@/lib/db";
import { goodVersions, versionVerdicts, chooseRollbackImage, type RunRecord } from "@/lib/deploy/rollback/last-good";
import { containerImage } from "@/lib/deploy/strategies/rollout-status";
import { planBlueGreenRollback, readColors } from "@/lib/deploy/strategies/blue-green";
import { canaryDeployment, chooseCanaryRollback } from "@/lib/deploy/strategies/canary";
import { describeReplicaSets, planRollingRollback, readRevisions } from "@/lib/deploy/strategies/rolling";
import type { ReadContext, StrategyName } from "@/lib/deploy/types";

/** One side of a rollback as the service page shows it before anyone clicks. */
export interface RollbackSide {
  image?: string;
  /** Where it runs: a colour, a ReplicaSet and revision, or the stable Deployment. */
  where: string;
  ready?: number;
  desired?: number;
}

export interface RollbackPreview {
  ready: boolean;
  /** One sentence: what the button will do, or why it will not. */
  detail: string;
  from?: RollbackSide;
  to?: RollbackSide;
  /** What the rollback run is asked to do: exactly what was previewed. */
  intent?: { rollbackTo: string; expectLiveImage?: string; switchNow?: { from: string; to: string; readAt: string } };
}

/** The runs of one service in one environment the last-good rule reads. */
export function rollbackHistory(
  serviceId: string,
  environmentId: string,
  client: Pick<DbTx, "deploymentRun"> = db,
): Promise<RunRecord[]> {
  return client.deploymentRun.findMany({
    where: {
      serviceId,
      environmentId,
      kind: { in: ["DEPLOY", "ROLLBACK"] },
      dryRun: false,
      status: { in: ["SUCCEEDED", "FAILED", "ABORTED"] },
    },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: {
      kind: true,
      status: true,
      dryRun: true,
      fromImage: true,
      toImage: true,
      verification: true,
      startedAt: true,
      trafficSwitchedAt: true,
      finishedAt: true,
    },
  });
}

/** The good versions (newest first) and why the others are not, from the deployment log. */
export function rollbackCandidates(history: readonly RunRecord[]) {
  return { candidates: goodVersions(history), verdicts: versionVerdicts(history) };
}

function refuse(detail: string, from?: RollbackSide): RollbackPreview {
  return { ready: false, detail, from };
}

/**
 * What the rollback button will do right now, read from the cluster and the deployment log with
 * the same functions the rollback run uses: from which image to which, where, how many pods are
 * ready. Refuses with a sentence when there is no good version to go to.
 */
export async function previewRollback(
  context: ReadContext,
  strategy: StrategyName,
  history: readonly RunRecord[],
): Promise<RollbackPreview> {
  const { candidates, verdicts } = rollbackCandidates(history);
  const { target } = context;
  const explain = (live: string | undefined, why: string) => {
    // The last-good rule's own sentence, naming the version that is not good where there is one.
    const choice = chooseRollbackImage(candidates, [live], verdicts);
    return choice.image === null ? choice.why : why;
  };

  if (strategy === "BLUE_GREEN") {
    const read = await readColors(context);
    if (read.error) return refuse(read.error.message);
    const live = read.live!;
    const idle = read.idle!;
    const from = { image: live.image, where: `${live.color} (live)`, ready: live.ready, desired: live.desired };
    const plan = planBlueGreenRollback(live, idle, { candidates });
    if (!plan.ok) return refuse(explain(live.image, plan.why), from);
    const to = { image: plan.image, where: idle.color, ready: idle.ready, desired: idle.desired };
    const action =
      plan.action === "switch"
        ? `switch the Service to ${idle.color}`
        : plan.action === "scale-up"
          ? `scale ${idle.color} to ${plan.replicas}, wait until ready, then switch`
          : `put ${plan.image} on ${idle.color} × ${plan.replicas}, wait until ready, then switch`;
    return {
      ready: true,
      detail: `${action}: ${live.image} → ${plan.image} (${plan.describe})`,
      from,
      to,
      intent: {
        rollbackTo: plan.image,
        expectLiveImage: live.image,
        ...(plan.action === "switch"
          ? { switchNow: { from: live.color, to: idle.color, readAt: context.now().toISOString() } }
          : {}),
      },
    };
  }

  if (strategy === "ROLLING") {
    const read = await readRevisions(context);
    if (read.error) return refuse(read.error.message);
    const current = read.replicaSets.find((rs) => rs.revision === read.revision);
    const from = {
      image: read.image,
      where: `revision ${read.revision}${current ? ` (${current.name})` : ""}`,
      ready: current?.ready,
      desired: current?.desired,
    };
    const plan = planRollingRollback(read.image, read.replicaSets, { candidates });
    if (!plan.ok) return refuse(explain(read.image, plan.why), from);
    const rs = plan.replicaSet;
    const to = {
      image: plan.image,
      where: rs ? `revision ${rs.revision} (${rs.name})` : "a new revision",
      ready: rs?.ready,
      desired: rs?.desired,
    };
    const live = describeReplicaSets(read.replicaSets);
    return {
      ready: true,
      detail: `undo to ${plan.describe}: ${read.image} → ${plan.image}${live ? `; live now: ${live}` : ""}`,
      from,
      to,
      intent: { rollbackTo: plan.image, expectLiveImage: read.image },
    };
  }

  const [stable, canary] = await Promise.all([
    context.gateway.readDeployment(target.namespace, target.deploymentName),
    context.gateway.readDeployment(target.namespace, canaryDeployment(target.deploymentName)),
  ]);
  if (!stable.ok) return refuse(stable.error.message);
  const stableImage = containerImage(stable.value, target.containerName);
  const from = {
    image: stableImage,
    where: `${target.deploymentName} (stable)`,
    ready: stable.value.status?.readyReplicas ?? 0,
    desired: stable.value.spec?.replicas ?? 0,
  };
  const canaryReplicas = canary.ok ? (canary.value.spec?.replicas ?? 0) : 0;
  const choice = chooseCanaryRollback(stableImage, { candidates });
  if (choice.image === null) {
    // A canary left serving (its run's recovery failed) must still be removable in one press,
    // even when stable already runs the only good version: the rollback then keeps stable as it is.
    if (canaryReplicas > 0 && stableImage) {
      return {
        ready: true,
        detail: `scale the canary (${canaryReplicas} pods) to zero; ${target.deploymentName} keeps ${stableImage}`,
        from,
        to: { image: stableImage, where: `${target.deploymentName} (stable)` },
        intent: { rollbackTo: stableImage, expectLiveImage: stableImage },
      };
    }
    return refuse(explain(stableImage, choice.why), from);
  }
  return {
    ready: true,
    detail: `${canaryReplicas > 0 ? `scale the canary (${canaryReplicas} pods) to zero, then ` : ""}put ${choice.image} back on ${target.deploymentName}: ${stableImage} → ${choice.image}`,
    from,
    to: { image: choice.image, where: `${target.deploymentName} (stable)` },
    intent: { rollbackTo: choice.image, expectLiveImage: stableImage },
  };
}
