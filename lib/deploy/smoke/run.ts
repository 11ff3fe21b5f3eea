import type { V1Pod } from "@kubernetes/client-node";
import {
  apiServerStatus,
  describeCheck,
  judge,
  SMOKE_SECRET_ENV,
  type ProxyAnswer,
  type SmokeCheckSpec,
} from "@/lib/deploy/smoke/checks";
import { fromK8sError, POLL_MS } from "@/lib/deploy/strategies/step-helpers";
import type { StepContext, StepResult } from "@/lib/deploy/types";
import { describeK8sError } from "@/lib/k8s/result";

/** Where the checks are sent: one pod of the new version, or the Service (whatever it selects). */
export interface SmokeTarget {
  kind: "pods" | "services";
  name: string;
  /** How the timeline names it, when not "pod <name>" / "Service <name>" (a dry run has no pod yet). */
  label?: string;
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");

/** The first ready pod (by name, so a resumed run picks the same one) of a Deployment. */
export async function firstReadyPod(
  context: StepContext,
  deploymentName: string,
  image?: string,
): Promise<{ pod?: string; result?: StepResult }> {
  const { gateway, target } = context;
  const deployment = await gateway.readDeployment(target.namespace, deploymentName);
  if (!deployment.ok) return { result: fromK8sError(`reading Deployment ${deploymentName}`, deployment.error) };
  const labels = deployment.value.spec?.selector?.matchLabels ?? {};
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await gateway.listPods(target.namespace, selector);
  if (!pods.ok) return { result: fromK8sError(`listing the pods of ${deploymentName}`, pods.error) };
  const ready = pods.value
    .filter((p) => !p.metadata?.deletionTimestamp && isReady(p))
    .filter((p) => !image || p.spec?.containers?.some((c) => c.image === image))
    .map((p) => p.metadata?.name ?? "")
    .filter(Boolean)
    .sort();
  if (ready.length === 0)
    return {
      result: { status: "waiting", message: `waiting for a ready pod of ${deploymentName}`, retryInMs: POLL_MS },
    };
  return { pod: ready[0] };
}

/**
 * Runs the target's smoke checks against `where`, through the API server's proxy, one after the
 * other. Done when all pass (or there are none); failed with the first failure otherwise, with
 * every result in the step's response for the timeline. A dry run lists what it would run.
 */
export async function runSmokeChecks(
  context: StepContext,
  where: SmokeTarget,
  when: string,
  onFailure: (message: string) => StepResult = (message) => ({ status: "failed", message }),
): Promise<StepResult> {
  const checks = context.target.smokeChecks;
  const place = where.label ?? (where.kind === "pods" ? `pod ${where.name}` : `Service ${where.name}`);
  if (checks.length === 0) return { status: "done", message: `no smoke checks for this service (${when})` };
  if (context.dryRun)
    return {
      status: "done",
      message: `would run ${checks.length} smoke check${checks.length === 1 ? "" : "s"} ${when} on ${place}: ${checks.map((c) => `${c.name} (${describeCheck(c)})`).join("; ")}`,
      response: { checks: checks.map(describeCheck) },
    };
  const results: { check: string; ok: boolean; summary: string }[] = [];
  for (const check of checks) {
    const answer = await send(context, where, check);
    const verdict = judge(check, answer);
    results.push({ check: check.name, ...verdict });
    if (!verdict.ok)
      return { ...onFailure(`smoke check failed ${when} on ${place}: ${verdict.summary}`), response: { results } };
  }
  return {
    status: "done",
    message: `${checks.length} smoke check${checks.length === 1 ? "" : "s"} passed ${when} on ${place}: ${results.map((r) => r.summary).join("; ")}`,
    response: { results },
  };
}

/**
 * The checks through the Service once it sends all traffic to the new version. A failure is a
 * breach of the verification window: with automatic rollback on, the deploy's recovery puts the
 * previous version back (and an incident opens); with it off, it is reported and traffic stays.
 */
export function smokeAfterTraffic(context: StepContext, when: string): Promise<StepResult> {
  return runSmokeChecks(context, { kind: "services", name: context.target.kubeServiceName }, when, (message) =>
    context.target.autoRollback
      ? { status: "failed", message, breach: true }
      : {
          status: "done",
          message: `${message}; automatic rollback is off for this service, so traffic stays on the new version: roll back by hand if needed`,
        },
  );
}

async function send(context: StepContext, where: SmokeTarget, check: SmokeCheckSpec): Promise<ProxyAnswer> {
  const headers: Record<string, string> = {};
  if (check.headerName && check.headerSecretEnv) {
    if (!SMOKE_SECRET_ENV.test(check.headerSecretEnv))
      return {
        kind: "error",
        message: `its header may only come from a SMOKE_… variable, not ${check.headerSecretEnv}`,
      };
    const value = process.env[check.headerSecretEnv];
    if (value === undefined)
      return {
        kind: "error",
        message: `its header ${check.headerName} comes from ${check.headerSecretEnv}, which is not set on this worker`,
      };
    headers[check.headerName] = value;
  }
  const result = await context.gateway.proxy(context.target.namespace, where.kind, where.name, {
    method: check.method,
    path: check.path,
    headers,
    timeoutMs: check.timeoutMs,
  });
  if (!result.ok) return { kind: "error", message: describeK8sError(result.error) };
  const refusal = result.value.status >= 400 ? apiServerStatus(result.value.contentType, result.value.body) : null;
  return refusal !== null
    ? { kind: "refused", status: result.value.status, message: refusal }
    : { kind: "answer", status: result.value.status, body: result.value.body };
}
