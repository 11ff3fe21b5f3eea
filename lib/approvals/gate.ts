import { evaluateGate, type GateResult } from "@/lib/approvals/policy";
import type { DbTx } from "@/lib/db";
import { db } from "@/lib/db";
import type { Role } from "@/lib/roles";

/**
 * Loads what the gate needs for a release and evaluates it. `ignoreRunId` leaves out the run
 * that asks (the deploy job checking the gate right before it touches the cluster).
 */
export async function releaseGate(releaseId: string, options: { tx?: DbTx; now?: Date; ignoreRunId?: string } = {}): Promise<GateResult & { revision: number }> {
  const client = options.tx ?? db;
  const release = await client.release.findUniqueOrThrow({
    where: { id: releaseId },
    include: {
      environment: { include: { freezeWindows: true } },
      approvals: { include: { user: { select: { name: true } } } },
      checklist: true,
      revisions: { select: { revision: true, changes: true } },
      overrides: { where: { kind: "FREEZE" } },
    },
  });
  const signers = [...new Set(release.approvals.map((a) => a.userId))];
  const roles = await client.roleAssignment.findMany({ where: { userId: { in: signers }, user: { disabledAt: null } } });
  const rolesOf = new Map<string, Role[]>();
  for (const r of roles) rolesOf.set(r.userId, [...(rolesOf.get(r.userId) ?? []), r.role]);
  const activeRun = await client.deploymentRun.findFirst({
    where: {
      serviceId: release.serviceId,
      environmentId: release.environmentId,
      status: { in: ["QUEUED", "RUNNING", "PAUSED"] },
      kind: { in: ["DEPLOY", "ROLLBACK"] },
      ...(options.ignoreRunId ? { id: { not: options.ignoreRunId } } : {}),
    },
    include: { requestedBy: { select: { name: true } } },
  });
  const result = evaluateGate({
    now: options.now ?? new Date(),
    environment: release.environment,
    release,
    signOffs: release.approvals.map((a) => ({ ...a, userName: a.user.name })),
    rolesOf,
    revisionChanges: new Map(release.revisions.map((r) => [r.revision, r.changes])),
    checklist: release.checklist,
    freezes: release.environment.freezeWindows,
    freezeOverridden: release.overrides.some((o) => o.revision === release.revision),
    activeRun: activeRun ? { kind: activeRun.kind, requestedBy: activeRun.requestedBy?.name ?? null } : null,
  });
  return { ...result, revision: release.revision };
}
