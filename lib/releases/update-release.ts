import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { humanize } from "@/lib/format/humanize";
import { releaseSnapshot } from "@/lib/releases/create-release";
import { parseImageReference } from "@/lib/releases/image-reference";
import { describeChanges, nextRevision } from "@/lib/releases/revision";
import { can, forbiddenMessage } from "@/lib/rbac";
import type { ReleaseLink, UpdateReleaseInput } from "@/lib/schemas/release";

export const EDITABLE_STATUSES = ["PENDING", "APPROVED"] as const;

/**
 * Edits a release. Every edit that changes something makes a new revision, recorded with what
 * changed; sign-offs bind to a revision, so the gate voids those of earlier ones.
 */
export async function updateRelease(user: CurrentUser, input: UpdateReleaseInput) {
  if (!can(user, "release:edit")) throw new AppError("FORBIDDEN", forbiddenMessage("release:edit", "edit a release"));
  const image = parseImageReference(input.imageRef);
  if (!image.ok) throw new AppError("INVALID", image.reason, { imageRef: [image.reason] });

  return db.$transaction(async (tx) => {
    // Lock the row: two editors (or an edit racing a deploy) are serialised here.
    const locked = await tx.$queryRaw<
      { id: string }[]
    >`select id from releases where id = ${input.releaseId} for update`;
    if (locked.length === 0) throw new AppError("NOT_FOUND", "That release does not exist.");
    const current = await tx.release.findUniqueOrThrow({ where: { id: input.releaseId } });
    if (!(EDITABLE_STATUSES as readonly string[]).includes(current.status)) {
      throw new AppError(
        "CONFLICT",
        `A ${humanize(current.status)} release cannot be edited; create a new release instead.`,
      );
    }
    if (current.revision !== input.expectedRevision) {
      throw new AppError(
        "CONFLICT",
        `Someone changed this release while you were editing (it is now revision ${current.revision}). Reload to see their change.`,
      );
    }

    const next = {
      imageRef: image.value.ref,
      imageDigest: image.value.digest ?? null,
      strategy: input.strategy,
      environmentId: current.environmentId,
      changeSummary: input.changeSummary,
      links: input.links,
    };
    const { revision, changes } = nextRevision(
      current.revision,
      { ...current, links: current.links as ReleaseLink[] },
      next,
    );
    if (changes.length === 0) throw new AppError("INVALID", "Nothing changed, so there is nothing to save.");
    const updated = await tx.release.update({
      where: { id: current.id },
      data: {
        imageRef: image.value.ref,
        imageRepository: image.value.repository,
        imageTag: image.value.tag ?? null,
        imageDigest: image.value.digest ?? null,
        strategy: input.strategy,
        changeSummary: input.changeSummary,
        links: input.links,
        revision,
        // A new revision needs its sign-offs again.
        status: "PENDING",
      },
    });
    await tx.releaseRevision.create({
      data: { releaseId: current.id, revision, ...next, changes, createdById: user.id },
    });
    // Sign-offs bind to a revision: the ones given to the old revision stop counting, on the record.
    const voided = await tx.approval.findMany({
      where: { releaseId: current.id, revision: current.revision, withdrawnAt: null },
    });
    for (const signOff of voided) {
      await recordAudit(tx, actorOf(user), {
        action: "approval.void",
        targetType: "release",
        targetId: current.id,
        before: { role: signOff.role, revision: signOff.revision, decision: signOff.decision, by: signOff.userId },
        metadata: { voidedByRevision: revision, reason: describeChanges(changes) },
      });
    }
    // Checklist ticks bind to a revision too: the old revision's stay as history, voided.
    const voidedTicks = await tx.checklistTick.findMany({
      where: { releaseId: current.id, revision: current.revision, withdrawnAt: null },
      include: { item: { select: { label: true } } },
    });
    for (const tick of voidedTicks) {
      await recordAudit(tx, actorOf(user), {
        action: "checklist.void",
        targetType: "release",
        targetId: current.id,
        before: { item: tick.item.label, revision: tick.revision, by: tick.checkedById },
        metadata: { voidedByRevision: revision, reason: describeChanges(changes) },
      });
    }
    await recordAudit(tx, actorOf(user), {
      action: "release.update",
      targetType: "release",
      targetId: current.id,
      before: releaseSnapshot(current),
      after: releaseSnapshot(updated),
      metadata: { newRevision: revision, reason: describeChanges(changes) },
    });
    return { release: updated, changes };
  });
}
