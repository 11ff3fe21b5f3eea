import type { V1ReplicaSet } from "@kubernetes/client-node";
import { containerImage, revisionOf } from "@/lib/deploy/rollout-status";
import { fromK8sError, imagePatch, waitForRollout, written } from "@/lib/deploy/step-helpers";
import type { Step, StepContext } from "@/lib/deploy/types";

export function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

const inspect: Step = {
  name: "inspect",
  async run({ gateway, target, image }) {
    const read = await gateway.readDeployment(target.namespace, target.deploymentName);
    if (!read.ok) return fromK8sError(`reading Deployment ${target.deploymentName}`, read.error);
    const fromImage = containerImage(read.value, target.containerName);
    const revision = revisionOf(read.value);
    return {
      status: "done",
      message: `${target.deploymentName} runs ${fromImage} (revision ${revision}); rollback target: revision ${revision}`,
      state: { fromImage, toImage: image, previousRevision: revision, rollbackTarget: { strategy: "ROLLING", revision, image: fromImage } },
      response: { image: fromImage, revision },
    };
  },
};

const setImage: Step = {
  name: "set-image",
  async run({ gateway, target, image, dryRun }) {
    const patch = imagePatch(target.containerName, image);
    const result = await gateway.patchDeployment(target.namespace, target.deploymentName, "strategic", patch, { dryRun });
    return written(result, `setting the image on ${target.deploymentName}`, patch, dryRun, (d) => ({
      status: "done",
      message: `${target.deploymentName} now asks for ${image} (generation ${d.metadata?.generation})`,
      request: patch,
      response: { generation: d.metadata?.generation, resourceVersion: d.metadata?.resourceVersion },
    }));
  },
};

const waitRollout: Step = {
  name: "wait-rollout",
  async run(context) {
    const result = await waitForRollout(context, context.target.deploymentName);
    return result.status === "done" ? { ...result, trafficSwitched: true } : result;
  },
};

export const rollingDeploy: Step[] = [inspect, setImage, waitRollout];

/** The ReplicaSet `kubectl rollout undo` would restore: the newest revision before the current one. */
async function previousReplicaSet(context: StepContext): Promise<{ rs?: V1ReplicaSet; current: number; live?: string; error?: ReturnType<typeof fromK8sError> }> {
  const { gateway, target } = context;
  const read = await gateway.readDeployment(target.namespace, target.deploymentName);
  if (!read.ok) return { current: 0, error: fromK8sError(`reading Deployment ${target.deploymentName}`, read.error) };
  const current = revisionOf(read.value);
  const list = await gateway.listReplicaSets(target.namespace, selectorString(read.value.spec?.selector?.matchLabels));
  if (!list.ok) return { current, error: fromK8sError("listing ReplicaSets", list.error) };
  const uid = read.value.metadata?.uid;
  const owned = list.value.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid) ?? true);
  const rs = owned.filter((r) => revisionOf(r) < current).sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  return { rs, current, live: containerImage(read.value, target.containerName) };
}

const findPrevious: Step = {
  name: "find-previous-revision",
  async run(context, state) {
    const { rs, current, error, live } = await previousReplicaSet(context);
    if (error) return error;
    // "The revision before the current one" is only the good version while the bad one is current.
    if (state.expectLiveImage && live !== state.expectLiveImage) {
      return { status: "failed", message: `nothing rolled back: ${context.target.deploymentName} runs ${live}, no longer ${state.expectLiveImage}, which this rollback was for` };
    }
    if (!rs) return { status: "failed", message: `${context.target.deploymentName} has no revision before ${current} to roll back to` };
    const hash = rs.metadata?.labels?.["pod-template-hash"];
    const image = rs.spec?.template?.spec?.containers?.find((c) => c.name === context.target.containerName)?.image;
    return {
      status: "done",
      message: `rolling back ${context.target.deploymentName} from revision ${current} to revision ${revisionOf(rs)} (${image})`,
      // liveColor carries the ReplicaSet's pod-template-hash: the revision number changes on undo.
      state: { previousRevision: revisionOf(rs), toImage: image, rollbackTarget: { strategy: "ROLLING", revision: revisionOf(rs), image }, liveColor: hash },
      response: { replicaSet: rs.metadata?.name, revision: revisionOf(rs), image },
    };
  },
};

const restoreTemplate: Step = {
  name: "restore-template",
  async run(context, state) {
    const { gateway, target, dryRun } = context;
    const read = await gateway.readDeployment(target.namespace, target.deploymentName);
    if (!read.ok) return fromK8sError(`reading Deployment ${target.deploymentName}`, read.error);
    const list = await gateway.listReplicaSets(target.namespace, selectorString(read.value.spec?.selector?.matchLabels));
    if (!list.ok) return fromK8sError("listing ReplicaSets", list.error);
    // Found again by its pod-template-hash: after the undo its revision number changes.
    const rs = list.value.find((r) => r.metadata?.labels?.["pod-template-hash"] === state.liveColor);
    if (!rs?.spec?.template) return { status: "failed", message: `the ReplicaSet of revision ${state.previousRevision} is gone` };
    const template = structuredClone(rs.spec.template);
    delete template.metadata?.labels?.["pod-template-hash"];
    const result = await gateway.updateDeployment(target.namespace, target.deploymentName, (d) => ({ ...d, spec: { ...d.spec!, template } }), { dryRun });
    return written(result, `restoring revision ${state.previousRevision}`, { spec: { template } }, dryRun, (d) => ({
      status: "done",
      message: `${target.deploymentName} restored to the pod template of revision ${state.previousRevision}`,
      request: { replace: "spec.template", from: rs.metadata?.name },
      response: { generation: d.metadata?.generation },
    }));
  },
};

export const rollingRollback: Step[] = [findPrevious, restoreTemplate, waitRollout];

/** Whether a rolling Deployment has a revision to go back to, for the service page. */
export async function rollingRollbackReady(context: StepContext): Promise<{ ready: boolean; detail: string }> {
  const { rs, current, error } = await previousReplicaSet(context);
  if (error) return { ready: false, detail: error.message };
  if (!rs) return { ready: false, detail: `no revision before ${current}` };
  const image = rs.spec?.template?.spec?.containers?.[0]?.image;
  return { ready: true, detail: `revision ${revisionOf(rs)} (${image})` };
}
