import type { V1ReplicaSet } from "@kubernetes/client-node";
import { revisionOf } from "@/lib/deploy/strategies/rollout-status";
import { fromK8sError, imagePatch, written } from "@/lib/deploy/strategies/step-helpers";
import type { StepContext, StepResult } from "@/lib/deploy/types";

/** The newest ReplicaSet of the target's Deployment whose pod template runs `image`. */
async function replicaSetWith(context: StepContext, image: string): Promise<{ rs?: V1ReplicaSet; error?: StepResult }> {
  const { gateway, target } = context;
  const read = await gateway.readDeployment(target.namespace, target.deploymentName);
  if (!read.ok) return { error: fromK8sError(`reading Deployment ${target.deploymentName}`, read.error) };
  const labels = read.value.spec?.selector?.matchLabels ?? {};
  const list = await gateway.listReplicaSets(
    target.namespace,
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  );
  if (!list.ok) return { error: fromK8sError("listing ReplicaSets", list.error) };
  const uid = read.value.metadata?.uid;
  const rs = list.value
    .filter((r) => r.metadata?.ownerReferences?.some((o) => o.uid === uid) ?? true)
    .filter((r) =>
      r.spec?.template?.spec?.containers?.some((c) => c.name === target.containerName && c.image === image),
    )
    .sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  return { rs };
}

/**
 * Puts `image` back on the target's Deployment: its earlier pod template when a ReplicaSet still
 * has it (what `kubectl rollout undo` restores, so nothing else of the template is lost), else the
 * image alone. Idempotent: restoring what is already there changes nothing.
 */
export async function restoreImage(context: StepContext, image: string, what: string): Promise<StepResult> {
  const { gateway, target, dryRun } = context;
  const { rs, error } = await replicaSetWith(context, image);
  if (error) return error;
  if (rs?.spec?.template) {
    const template = structuredClone(rs.spec.template);
    delete template.metadata?.labels?.["pod-template-hash"];
    const result = await gateway.updateDeployment(
      target.namespace,
      target.deploymentName,
      // Unpaused too: a smoke check that failed left the rollout held (lib/deploy/strategies/rolling.ts).
      (d) => ({ ...d, spec: { ...d.spec!, template, paused: false } }),
      { dryRun },
    );
    return written(result, `restoring ${image} on ${target.deploymentName}`, { spec: { template } }, dryRun, () => ({
      status: "done",
      message: `${target.deploymentName} ${what} ${image} (the pod template of ${rs.metadata?.name})`,
      request: { replace: "spec.template", from: rs.metadata?.name },
      state: { toImage: image },
    }));
  }
  const patch = { spec: { ...imagePatch(target.containerName, image).spec, paused: false } };
  const result = await gateway.patchDeployment(target.namespace, target.deploymentName, "strategic", patch, { dryRun });
  return written(result, `restoring ${image} on ${target.deploymentName}`, patch, dryRun, () => ({
    status: "done",
    message: `${target.deploymentName} ${what} ${image}`,
    request: patch,
    state: { toImage: image },
  }));
}
