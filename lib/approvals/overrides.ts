import { GATE_OVERRIDES, type GateOverrideKind } from "@/lib/approvals/override-kinds";
import { isFinalRelease } from "@/lib/approvals/policy";
import { humanize } from "@/lib/format/humanize";
import { recordAudit, type Actor } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db, type DbTx } from "@/lib/db";
import { requestGateChange } from "@/lib/gate-changes/request";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";

/**
 * An admin asks to let one revision of a release through a freeze or a spent error budget, with a
 * written reason that stays on the release and in the audit log; it takes effect when a second
 * admin confirms it (lib/gate-changes/decide.ts). `revision` is the one the admin saw: an
 * override never silently carries over to an edit made meanwhile.
 */
export async function overrideGate(
  user: CurrentUser,
  input: { releaseId: string; revision: number; kind: GateOverrideKind; reason: string },
) {
  const { name, label } = GATE_OVERRIDES[input.kind];
  if (!can(user, "gate:override"))
    throw new AppError("FORBIDDEN", forbiddenMessage("gate:override", `override the ${name}`));
  return db.$transaction(async (tx) => {
    const release = await tx.release.findUnique({
      where: { id: input.releaseId },
      include: { service: { select: { displayName: true } }, environment: { select: { displayName: true } } },
    });
    if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
    await checkOverridable(tx, release, input.revision, input.kind);
    const summary = `${label} override for ${release.service.displayName} #${release.number} (revision ${release.revision}) in ${release.environment.displayName}: ${input.reason}`;
    const change = await requestGateChange(
      tx,
      user,
      {
        kind: "GATE_OVERRIDE",
        releaseId: release.id,
        revision: release.revision,
        overrideKind: input.kind,
        reason: input.reason,
      },
      summary,
    );
    return { pending: { id: change.id, summary } };
  });
}

/** The release is still at the revision the admin saw, and nobody overrode this condition for it yet. */
async function checkOverridable(
  tx: DbTx,
  release: { id: string; revision: number; status: string },
  revision: number,
  kind: GateOverrideKind,
) {
  const { name } = GATE_OVERRIDES[kind];
  if (isFinalRelease(release.status))
    throw new AppError("CONFLICT", `This release was ${humanize(release.status)}; there is nothing left to override.`);
  if (release.revision !== revision)
    throw new AppError(
      "CONFLICT",
      `The release changed to revision ${release.revision}. Reload before overriding the ${name}.`,
    );
  const existing = await tx.gateOverride.findFirst({
    where: { releaseId: release.id, revision: release.revision, kind },
    include: { user: { select: { name: true } } },
  });
  if (existing)
    throw new AppError(
      "CONFLICT",
      `${existing.user.name} already overrode the ${name} for revision ${release.revision}.`,
    );
}

/**
 * Writes the override of a confirmed request: still the same revision, still not overridden.
 * `requestedById` is the admin who asked (the override is theirs; the confirmer is in the audit).
 */
export async function applyGateOverride(
  tx: DbTx,
  actor: Actor,
  input: { releaseId: string; revision: number; kind: GateOverrideKind; reason: string; requestedById: string },
  metadata?: Record<string, unknown>,
) {
  // Two confirmations at once are already serialised by the change's row lock; this covers a direct caller.
  await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`gate-override:${input.releaseId}:${input.kind}`}))`;
  const release = await tx.release.findUnique({ where: { id: input.releaseId } });
  if (!release) throw new AppError("NOT_FOUND", "That release no longer exists.");
  await checkOverridable(tx, release, input.revision, input.kind);
  const override = await tx.gateOverride.create({
    data: {
      releaseId: release.id,
      revision: release.revision,
      kind: input.kind,
      reason: input.reason,
      userId: input.requestedById,
    },
  });
  await recordAudit(tx, actor, {
    action: GATE_OVERRIDES[input.kind].audit,
    targetType: "release",
    targetId: release.id,
    after: { revision: release.revision, kind: input.kind, reason: input.reason },
    metadata,
  });
  return override;
}
