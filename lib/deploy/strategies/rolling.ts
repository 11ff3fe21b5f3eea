import type { V1ReplicaSet } from "@kubernetes/client-node";
import type { RecoveryPlan } from "@/lib/deploy/engine/machine";
import { chooseRollbackImage } from "@/lib/deploy/rollback/last-good";
import { containerImage, revisionOf } from "@/lib/deploy/strategies/rollout-status";
import { fromK8sError, imagePatch, waitForRollout, written } from "@/lib/deploy/strategies/step-helpers";
import { restoreImage } from "@/lib/deploy/strategies/restore-image";
import { firstReadyPod, runSmokeChecks, smokeAfterTraffic } from "@/lib/deploy/smoke/run";
import type { ReadContext, RunState, Step, StepResult } from "@/lib/deploy/types";

export const ROLLING_STEPS = {
  inspect: "inspect",
  setImage: "set-image",
  smokeFirstPod: "smoke-first-pod",
  waitRollout: "wait-rollout",
  smokeAfterRollout: "smoke-after-rollout",
  restorePrevious: "restore-previous-revision",
  waitRestored: "wait-restored",
  reportReplicaSets: "report-replicasets",
  findTarget: "find-good-revision",
  restoreTemplate: "restore-template",
} as const;
const S = ROLLING_STEPS;

export function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

const inspect: Step = {
  name: S.inspect,
  async run({ gateway, target, image }) {
    const read = await gateway.readDeployment(target.namespace, target.deploymentName);
    if (!read.ok) return fromK8sError(`reading Deployment ${target.deploymentName}`, read.error);
    const fromImage = containerImage(read.value, target.containerName);
    const revision = revisionOf(read.value);
    return {
      status: "done",
      message: `${target.deploymentName} runs ${fromImage} (revision ${revision}); rollback target: revision ${revision}`,
      state: {
        fromImage,
        toImage: image,
        previousRevision: revision,
        rollbackTarget: { strategy: "ROLLING", revision, image: fromImage },
      },
      response: { image: fromImage, revision },
    };
  },
};

const setImage: Step = {
  name: S.setImage,
  async run({ gateway, target, image, dryRun }) {
    const patch = imagePatch(target.containerName, image);
    const result = await gateway.patchDeployment(target.namespace, target.deploymentName, "strategic", patch, {
      dryRun,
    });
    return written(result, `setting the image on ${target.deploymentName}`, patch, dryRun, (d) => ({
      status: "done",
      message: `${target.deploymentName} now asks for ${image} (generation ${d.metadata?.generation})`,
      request: patch,
      response: { generation: d.metadata?.generation, resourceVersion: d.metadata?.resourceVersion },
    }));
  },
};

const waitRollout: Step = {
  name: S.waitRollout,
  async run(context) {
    const result = await waitForRollout(context, context.target.deploymentName);
    return result.status === "done" ? { ...result, trafficSwitched: true } : result;
  },
};

/**
 * The smoke checks on the first ready pod of the new version. The rollout is held (paused) the
 * moment that pod is found, so only the few pods already replaced serve while the checks run; it
 * goes on when they pass, and a failure undoes it (the restore also unpauses the Deployment).
 */
const smokeFirstPod: Step = {
  name: S.smokeFirstPod,
  async run(context) {
    const { gateway, target, image } = context;
    const name = target.deploymentName;
    const when = "before the rollout goes on";
    if (context.dryRun || target.smokeChecks.length === 0)
      return runSmokeChecks(context, { kind: "pods", name, label: `the first ready pod of ${image}` }, when);
    const found = await firstReadyPod(context, name, image);
    if (!found.pod) return found.result!;
    const hold = await gateway.patchDeployment(target.namespace, name, "merge", { spec: { paused: true } });
    if (!hold.ok) return fromK8sError(`pausing ${name} for its smoke checks`, hold.error);
    const checked = await runSmokeChecks(context, { kind: "pods", name: found.pod }, when);
    if (checked.status !== "done") return checked;
    const go = await gateway.patchDeployment(target.namespace, name, "merge", { spec: { paused: false } });
    if (!go.ok) return fromK8sError(`resuming ${name} after its smoke checks`, go.error);
    return { ...checked, message: `${checked.message}; the rollout goes on` };
  },
};

/** The checks through the Service once every pod runs the new version: a failure is a breach. */
const smokeAfterRollout: Step = {
  name: S.smokeAfterRollout,
  run: (context) => smokeAfterTraffic(context, "after the rollout"),
};

export const rollingDeploy: Step[] = [inspect, setImage, smokeFirstPod, waitRollout, smokeAfterRollout];

/** One ReplicaSet of the Deployment, as the service page and the run's events show it. */
export interface ReplicaSetState {
  name: string;
  revision: number;
  image?: string;
  hash?: string;
  desired: number;
  ready: number;
}

/** The Deployment's live image and its ReplicaSets, newest revision first. */
export async function readRevisions(context: ReadContext): Promise<{
  image?: string;
  revision: number;
  replicaSets: ReplicaSetState[];
  raw: V1ReplicaSet[];
  error?: StepResult;
}> {
  const { gateway, target } = context;
  const read = await gateway.readDeployment(target.namespace, target.deploymentName);
  if (!read.ok)
    return {
      revision: 0,
      replicaSets: [],
      raw: [],
      error: fromK8sError(`reading Deployment ${target.deploymentName}`, read.error),
    };
  const list = await gateway.listReplicaSets(target.namespace, selectorString(read.value.spec?.selector?.matchLabels));
  if (!list.ok)
    return { revision: 0, replicaSets: [], raw: [], error: fromK8sError("listing ReplicaSets", list.error) };
  const uid = read.value.metadata?.uid;
  const raw = list.value
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid) ?? true)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
  const replicaSets = raw.map((rs) => ({
    name: rs.metadata?.name ?? "",
    revision: revisionOf(rs),
    image:
      rs.spec?.template?.spec?.containers?.find((c) => c.name === target.containerName)?.image ??
      rs.spec?.template?.spec?.containers?.[0]?.image,
    hash: rs.metadata?.labels?.["pod-template-hash"],
    desired: rs.spec?.replicas ?? 0,
    ready: rs.status?.readyReplicas ?? 0,
  }));
  return {
    image: containerImage(read.value, target.containerName),
    revision: revisionOf(read.value),
    replicaSets,
    raw,
  };
}

export function describeReplicaSets(replicaSets: readonly ReplicaSetState[]): string {
  return replicaSets
    .filter((rs) => rs.desired > 0 || rs.ready > 0)
    .map((rs) => `${rs.name} (revision ${rs.revision}, ${rs.image}: ${rs.ready}/${rs.desired} ready)`)
    .join(", ");
}

/**
 * Recovery of a rolling deploy: the pod template of the version it replaced goes back (what
 * `kubectl rollout undo` does), because by the time a deploy fails (its deadline, the cluster
 * refusing, new pods never ready) some new pods may be serving; then what serves is reported.
 */
const restorePrevious: Step = {
  name: S.restorePrevious,
  run: (context, state) =>
    state.fromImage
      ? restoreImage(context, state.fromImage, "back on")
      : Promise.resolve({ status: "failed", message: "the version before this deploy is unknown" }),
};

const waitRestored: Step = {
  name: S.waitRestored,
  run: (context) => waitForRollout(context, context.target.deploymentName),
};

const reportReplicaSets: Step = {
  name: S.reportReplicaSets,
  async run(context) {
    const read = await readRevisions(context);
    if (read.error) return read.error;
    const live = describeReplicaSets(read.replicaSets);
    return {
      status: "done",
      message: `live ReplicaSets: ${live || "none with pods"}`,
      response: { replicaSets: read.replicaSets },
    };
  },
};

const undo: RecoveryPlan = {
  steps: [S.restorePrevious, S.waitRestored, S.reportReplicaSets],
  summary: "the previous version's pod template was restored and has rolled out",
};

export const rollingRecoveries: Record<string, RecoveryPlan> = {
  [S.setImage]: undo,
  [S.smokeFirstPod]: undo,
  [S.waitRollout]: undo,
  [S.smokeAfterRollout]: undo,
};

export const rollingRecoverySteps: Step[] = [restorePrevious, waitRestored, reportReplicaSets];

export type RollingRollbackPlan =
  | { ok: false; why: string }
  | { ok: true; image: string; from?: string; replicaSet?: ReplicaSetState; already: boolean; describe: string };

/** Which revision a rollback restores: the newest ReplicaSet with the last good version (or the image alone). Pure. */
export function planRollingRollback(
  liveImage: string | undefined,
  replicaSets: readonly ReplicaSetState[],
  intent: Pick<RunState, "candidates" | "expectLiveImage" | "rollbackTo">,
): RollingRollbackPlan {
  if (intent.rollbackTo && liveImage === intent.rollbackTo)
    return {
      ok: true,
      image: intent.rollbackTo,
      from: liveImage,
      already: true,
      describe: `already on ${intent.rollbackTo}`,
    };
  if (intent.expectLiveImage && liveImage !== intent.expectLiveImage) {
    return {
      ok: false,
      why: `nothing rolled back: the Deployment runs ${liveImage}, no longer ${intent.expectLiveImage}, which this rollback was for`,
    };
  }
  const choice = intent.rollbackTo
    ? { image: intent.rollbackTo }
    : chooseRollbackImage(intent.candidates ?? [], [liveImage]);
  if (choice.image === null) return { ok: false, why: choice.why };
  const replicaSet = replicaSets.find((rs) => rs.image === choice.image);
  return {
    ok: true,
    image: choice.image,
    from: liveImage,
    replicaSet,
    already: false,
    describe: replicaSet
      ? `revision ${replicaSet.revision} (${replicaSet.name}, ${choice.image})`
      : `${choice.image} (no ReplicaSet keeps it any more: the image is set again)`,
  };
}

const findTarget: Step = {
  name: S.findTarget,
  async run(context, state) {
    const read = await readRevisions(context);
    if (read.error) return read.error;
    const plan = planRollingRollback(read.image, read.replicaSets, state);
    if (!plan.ok) return { status: "failed", message: plan.why };
    return {
      status: "done",
      message: plan.already
        ? `${context.target.deploymentName} already runs ${plan.image}`
        : `rolling back ${context.target.deploymentName} from ${read.image} (revision ${read.revision}) to ${plan.describe}`,
      // liveColor carries the ReplicaSet's pod-template-hash: the revision number changes on undo.
      state: {
        fromImage: read.image,
        toImage: plan.image,
        rollbackTo: plan.image,
        previousRevision: plan.replicaSet?.revision,
        liveColor: plan.already ? undefined : (plan.replicaSet?.hash ?? ""),
        rollbackTarget: { strategy: "ROLLING", revision: plan.replicaSet?.revision ?? 0, image: plan.image },
      },
      response: { replicaSets: read.replicaSets },
    };
  },
};

const restoreTemplate: Step = {
  name: S.restoreTemplate,
  async run(context, state) {
    const { gateway, target, dryRun } = context;
    if (state.liveColor === undefined)
      return { status: "done", message: `${target.deploymentName} already runs ${state.toImage}` };
    if (!state.liveColor) {
      const patch = imagePatch(target.containerName, state.toImage!);
      const result = await gateway.patchDeployment(target.namespace, target.deploymentName, "strategic", patch, {
        dryRun,
      });
      return written(result, `setting ${state.toImage} on ${target.deploymentName}`, patch, dryRun, () => ({
        status: "done",
        message: `${target.deploymentName} set to ${state.toImage}`,
        request: patch,
      }));
    }
    const read = await readRevisions(context);
    if (read.error) return read.error;
    // Found again by its pod-template-hash: after the undo its revision number changes.
    const rs = read.raw.find((r) => r.metadata?.labels?.["pod-template-hash"] === state.liveColor);
    if (!rs?.spec?.template)
      return { status: "failed", message: `the ReplicaSet of revision ${state.previousRevision} is gone` };
    const template = structuredClone(rs.spec.template);
    delete template.metadata?.labels?.["pod-template-hash"];
    const result = await gateway.updateDeployment(
      target.namespace,
      target.deploymentName,
      (d) => ({ ...d, spec: { ...d.spec!, template } }),
      { dryRun },
    );
    return written(result, `restoring revision ${state.previousRevision}`, { spec: { template } }, dryRun, (d) => ({
      status: "done",
      message: `${target.deploymentName} restored to the pod template of revision ${state.previousRevision}`,
      request: { replace: "spec.template", from: rs.metadata?.name },
      response: { generation: d.metadata?.generation },
    }));
  },
};

export const rollingRollback: Step[] = [findTarget, restoreTemplate, waitRollout];
