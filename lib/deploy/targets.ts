import { DEFAULT_MIN_REQUESTS, DEFAULT_RULES, type AnalysisRule } from "@/lib/deploy/analysis/rules";
import type { DeployTarget } from "@/lib/deploy/types";
import type { SmokeCheckSpec } from "@/lib/deploy/smoke/checks";
import { metricNamesOf } from "@/lib/prometheus/promql";
import { env } from "@/lib/env";

/** A ServiceTarget row as Prisma returns it (the container name may be left to default). */
type ServiceTargetRow = Omit<DeployTarget, "containerName" | "metrics" | "rules" | "minRequests" | "smokeChecks"> & {
  /** Loaded where the engine needs them (in position order); absent: none. */
  smokeChecks?: SmokeCheckSpec[];
  containerName: string | null;
  requestsMetric: string;
  durationMetric: string;
  statusLabel: string;
  cpuMetric: string;
  memoryMetric: string;
  maxErrorRate: number | null;
  maxLatencyP95: number | null;
  maxLatencyP99: number | null;
  minRequests: number | null;
};

export { metricNamesOf as metricNames } from "@/lib/prometheus/promql";

/** The target's analysis rules: its own limits where set, the SLI table's critical lines elsewhere. */
export function analysisRules(
  row: Pick<ServiceTargetRow, "maxErrorRate" | "maxLatencyP95" | "maxLatencyP99">,
): AnalysisRule[] {
  const own: Record<AnalysisRule["sli"], number | null> = {
    error_rate: row.maxErrorRate,
    latency_p95: row.maxLatencyP95,
    latency_p99: row.maxLatencyP99,
  };
  return DEFAULT_RULES.map((rule) => ({ sli: rule.sli, max: own[rule.sli] ?? rule.max }));
}

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
    metrics: metricNamesOf(row),
    rules: analysisRules(row),
    minRequests: row.minRequests ?? DEFAULT_MIN_REQUESTS,
    smokeChecks: (row.smokeChecks ?? []).map((c) => ({
      name: c.name,
      method: c.method,
      path: c.path,
      expectedStatus: c.expectedStatus,
      bodyContains: c.bodyContains,
      jsonField: c.jsonField,
      jsonEquals: c.jsonEquals,
      timeoutMs: c.timeoutMs,
      headerName: c.headerName,
      headerSecretEnv: c.headerSecretEnv,
    })),
  };
}

/** How long a run may take before it fails: canary pauses add to the base. */
export function runDeadlineSeconds(
  strategy: string,
  kind: string,
  target: Pick<ServiceTargetRow, "canarySteps" | "canaryPauseSeconds">,
): number {
  if (kind === "DEPLOY" && strategy === "CANARY")
    return env().RUN_DEADLINE_SECONDS + target.canarySteps.length * target.canaryPauseSeconds;
  return env().RUN_DEADLINE_SECONDS;
}
