import type { V1Deployment } from "@kubernetes/client-node";
import { rolloutStatus } from "@/lib/deploy/strategies/rollout-status";
import type { StepContext, StepResult } from "@/lib/deploy/types";
import { describeK8sError, type K8sError, type K8sResult } from "@/lib/k8s/result";

export const POLL_MS = 250;

/** Transient cluster errors are retried until the run's deadline; the rest fail the run. */
export function fromK8sError(action: string, error: K8sError, request?: unknown): StepResult {
  const transient = error.type === "unavailable" || error.type === "timeout" || error.type === "conflict";
  const message = `${action}: ${describeK8sError(error)}`;
  return transient
    ? { status: "waiting", message, retryInMs: 1000, request, response: error }
    : { status: "failed", message, k8sError: error, request, response: error };
}

/** Wait until a Deployment has rolled out (or fail on ProgressDeadlineExceeded). */
export async function waitForRollout(context: StepContext, name: string): Promise<StepResult> {
  const read = await context.gateway.readDeployment(context.target.namespace, name);
  if (!read.ok) return fromK8sError(`reading ${name}`, read.error);
  const status = rolloutStatus(read.value);
  if (status.state === "failed") return { status: "failed", message: status.message, response: read.value.status };
  if (status.state === "progressing") return { status: "waiting", message: status.message, retryInMs: POLL_MS };
  return { status: "done", message: status.message, response: summarizeStatus(read.value) };
}

export function summarizeStatus(deployment: V1Deployment) {
  const s = deployment.status ?? {};
  return {
    generation: deployment.metadata?.generation,
    observedGeneration: s.observedGeneration,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    readyReplicas: s.readyReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
  };
}

export function imagePatch(container: string, image: string, replicas?: number) {
  return {
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: { spec: { containers: [{ name: container, image }] } },
    },
  };
}

export function written<T>(
  result: K8sResult<T>,
  action: string,
  request: unknown,
  dryRun: boolean,
  done: (value: T) => StepResult,
): StepResult {
  if (!result.ok) return fromK8sError(action, result.error, request);
  const outcome = done(result.value);
  return dryRun && outcome.status === "done"
    ? { ...outcome, message: `${outcome.message} (dry run: the cluster accepted it, nothing changed)` }
    : outcome;
}
