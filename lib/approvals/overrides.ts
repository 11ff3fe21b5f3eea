import { GATE_OVERRIDES, type GateOverrideKind } from "@/lib/approvals/override-kinds";
import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";

/**
 * An admin lets one revision of a release through a freeze or a spent error budget, with a
 * written reason that stays on the release and in the audit log. `revision` is the one the
 * admin saw: an override never silently carries over to an edit made meanwhile.
 */
export async function overrideGate(
  user: CurrentUser,
  input: { releaseId: string; revision: number; kind: GateOverrideKind; reason: string },
) {
  const { name, audit } = GATE_OVERRIDES[input.kind];
  if (!can(user, "gate:override"))
    throw new AppError("FORBIDDEN", forbiddenMessage("gate:override", `override the ${name}`));
  return db.$transaction(async (tx) => {
    // Two admins overriding at once: one lands, the other is told.
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`gate-override:${input.releaseId}:${input.kind}`}))`;
    const release = await tx.release.findUnique({ where: { id: input.releaseId } });
    if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
    if (release.revision !== input.revision)
      throw new AppError(
        "CONFLICT",
        `The release changed to revision ${release.revision}. Reload before overriding the ${name}.`,
      );
    const existing = await tx.gateOverride.findFirst({
      where: { releaseId: release.id, revision: release.revision, kind: input.kind },
      include: { user: { select: { name: true } } },
    });
    if (existing)
      throw new AppError(
        "CONFLICT",
        `${existing.user.name} already overrode the ${name} for revision ${release.revision}.`,
      );
    const override = await tx.gateOverride.create({
      data: {
        releaseId: release.id,
        revision: release.revision,
        kind: input.kind,
        reason: input.reason,
        userId: user.id,
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: audit,
      targetType: "release",
      targetId: release.id,
      after: { revision: release.revision, kind: input.kind, reason: input.reason },
    });
    return override;
  });
}
