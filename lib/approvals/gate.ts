import { evaluateGate, revisionAuthorsOf, type GateResult, type SigningInput } from "@/lib/approvals/policy";
import type { DbTx } from "@/lib/db";
import { db } from "@/lib/db";
import { ACTIVE_RUN_STATUSES } from "@/lib/deploy/run-status";
import type { Prisma } from "@/lib/generated/prisma/client";
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

// What the gate needs, and what the release page shows beside it, so the page reads the release once.
const GATE_RELEASE = {
  service: {
    select: {
      name: true,
      displayName: true,
      targets: {
        select: {
          environmentId: true,
          metricsSelector: true,
          requestsMetric: true,
          durationMetric: true,
          statusLabel: true,
          cpuMetric: true,
          memoryMetric: true,
        },
      },
    },
  },
  environment: { include: { freezeWindows: true } },
  createdBy: { select: { name: true } },
  approvals: { include: { user: { select: { name: true } } } },
  checklist: {
    orderBy: { position: "asc" },
    include: { ticks: { orderBy: { checkedAt: "asc" }, include: { checkedBy: { select: { name: true } } } } },
  },
  revisions: { orderBy: { revision: "desc" }, include: { createdBy: { select: { name: true } } } },
  overrides: { include: { user: { select: { name: true } } } },
} as const satisfies Prisma.ReleaseInclude;

export type GateRelease = Prisma.ReleaseGetPayload<{ include: typeof GATE_RELEASE }>;

export interface ReleaseGate extends GateResult {
  revision: number;
  /** The release as the gate read it. */
  release: GateRelease;
  /** The same read, for who may sign next (signableRoles with the person added). */
  signing: Omit<SigningInput, "user">;
}

/** Loads what the gate needs for a release and evaluates it. */
export async function releaseGate(releaseId: string, options: ReleaseGateOptions = {}): Promise<ReleaseGate> {
  const client = options.tx ?? db;
  const release = await client.release.findUniqueOrThrow({ where: { id: releaseId }, include: GATE_RELEASE });
  return evaluateLoaded(release, client, options);
}

/** The same for a release that may not exist (an address someone typed): null when it does not. */
export async function findReleaseGate(
  releaseId: string,
  options: ReleaseGateOptions = {},
): Promise<ReleaseGate | null> {
  const client = options.tx ?? db;
  const release = await client.release.findUnique({ where: { id: releaseId }, include: GATE_RELEASE });
  return release ? evaluateLoaded(release, client, options) : null;
}

async function evaluateLoaded(release: GateRelease, client: DbTx, options: ReleaseGateOptions): Promise<ReleaseGate> {
  // Prometheus is asked while the database answers the rest; a service with no target (or no
  // selector) in this environment reads as an unknown budget.
  const target = release.service.targets.find((t) => t.environmentId === release.environmentId);
  const budget: Promise<ErrorBudgetReading | null> = release.environment.errorBudgetGate
    ? readErrorBudget(
        target?.metricsSelector ?? null,
        options.metrics === undefined ? prometheus() : options.metrics,
        undefined,
        target ? metricNamesOf(target) : undefined,
      )
    : Promise.resolve(null);
  const signers = [...new Set(release.approvals.map((a) => a.userId))];
  const roles = await client.roleAssignment.findMany({
    where: { userId: { in: signers }, user: { disabledAt: null } },
  });
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
  const now = options.now ?? new Date();
  const signOffs = release.approvals.map((a) => ({ ...a, userName: a.user.name }));
  const authored = { ...release, revisionAuthors: revisionAuthorsOf(release.revisions) };
  const result = evaluateGate({
    now,
    environment: release.environment,
    service: release.service,
    release: authored,
    signOffs,
    rolesOf,
    revisionChanges: new Map(release.revisions.map((r) => [r.revision, r.changes])),
    checklist: release.checklist.map((item) => ({
      ...item,
      ticks: item.ticks.map((t) => ({ ...t, userName: t.checkedBy.name })),
    })),
    freezes: release.environment.freezeWindows,
    overrides: release.overrides,
    errorBudget: await budget,
    activeRun: activeRun ? { kind: activeRun.kind, requestedBy: activeRun.requestedBy?.name ?? null } : null,
  });
  return {
    ...result,
    revision: release.revision,
    release,
    signing: { now, release: authored, environment: release.environment, signOffs, rolesOf },
  };
}
