import { evaluateGate, type GateResult } from "@/lib/approvals/policy";
import type { DbTx } from "@/lib/db";
import { db } from "@/lib/db";
import { ACTIVE_RUN_STATUSES } from "@/lib/deploy/run-status";
import { prometheus, type PrometheusGateway } from "@/lib/prometheus/client";
import type { Role } from "@/lib/roles";
import { metricNamesOf } from "@/lib/prometheus/promql";
import { readErrorBudget, type ErrorBudgetReading } from "@/lib/slo/budget-reading";

export interface ReleaseGateOptions {
  tx?: DbTx;
  now?: Date;
  /** Leaves out the run that asks (the deploy job checking right before it touches the cluster). */
  ignoreRunId?: string;
  /** Where the error budget is read; the app's Prometheus (PROMETHEUS_URL) unless given. */
  metrics?: PrometheusGateway | null;
}

/** Loads what the gate needs for a release and evaluates it. */
export async function releaseGate(releaseId: string, options: ReleaseGateOptions = {}): Promise<GateResult & { revision: number }> {
  const client = options.tx ?? db;
  const release = await client.release.findUniqueOrThrow({
    where: { id: releaseId },
    include: {
      service: { select: { name: true, targets: { select: { environmentId: true, metricsSelector: true, requestsMetric: true, durationMetric: true, statusLabel: true, cpuMetric: true, memoryMetric: true } } } },
      environment: { include: { freezeWindows: true } },
      approvals: { include: { user: { select: { name: true } } } },
      checklist: true,
      revisions: { select: { revision: true, changes: true } },
      overrides: { select: { kind: true, revision: true } },
    },
  });
  // Prometheus is asked while the database answers the rest; a service with no target (or no
  // selector) in this environment reads as an unknown budget.
  const target = release.service.targets.find((t) => t.environmentId === release.environmentId);
  const budget: Promise<ErrorBudgetReading | null> = release.environment.errorBudgetGate
    ? readErrorBudget(target?.metricsSelector ?? null, options.metrics === undefined ? prometheus() : options.metrics, undefined, target ? metricNamesOf(target) : undefined)
    : Promise.resolve(null);
  const signers = [...new Set(release.approvals.map((a) => a.userId))];
  const roles = await client.roleAssignment.findMany({ where: { userId: { in: signers }, user: { disabledAt: null } } });
  const rolesOf = new Map<string, Role[]>();
  for (const r of roles) rolesOf.set(r.userId, [...(rolesOf.get(r.userId) ?? []), r.role]);
  const activeRun = await client.deploymentRun.findFirst({
    where: {
      serviceId: release.serviceId,
      environmentId: release.environmentId,
      status: { in: [...ACTIVE_RUN_STATUSES] },
      kind: { in: ["DEPLOY", "ROLLBACK"] },
      ...(options.ignoreRunId ? { id: { not: options.ignoreRunId } } : {}),
    },
    include: { requestedBy: { select: { name: true } } },
  });
  const result = evaluateGate({
    now: options.now ?? new Date(),
    environment: release.environment,
    service: release.service,
    release,
    signOffs: release.approvals.map((a) => ({ ...a, userName: a.user.name })),
    rolesOf,
    revisionChanges: new Map(release.revisions.map((r) => [r.revision, r.changes])),
    checklist: release.checklist,
    freezes: release.environment.freezeWindows,
    overrides: release.overrides,
    errorBudget: await budget,
    activeRun: activeRun ? { kind: activeRun.kind, requestedBy: activeRun.requestedBy?.name ?? null } : null,
  });
  return { ...result, revision: release.revision };
}
