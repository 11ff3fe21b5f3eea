import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";
import type { TickFollowUpInput } from "@/lib/schemas/follow-ups";

/**
 * Ticks one follow-up of a deploy, with who, when and optional evidence. Once: a tick is the
 * record that someone looked, so it is not taken back; a second tick (two people at once, a
 * double click) is refused with who was first. A closed item (the version was replaced) takes none.
 */
export async function tickFollowUp(user: CurrentUser, input: TickFollowUpInput) {
  if (!can(user, "followup:tick"))
    throw new AppError("FORBIDDEN", forbiddenMessage("followup:tick", "tick follow-ups"));
  const evidenceUrl = input.evidenceUrl?.trim() || null;
  const note = input.note.trim() || null;
  return db.$transaction(async (tx) => {
    const item = await tx.followUpItem.findUnique({
      where: { id: input.itemId },
      include: { checkedBy: { select: { name: true } } },
    });
    if (!item) throw new AppError("NOT_FOUND", "That follow-up does not exist.");
    if (item.closedAt)
      throw new AppError("CONFLICT", `${item.closedReason ?? "This follow-up is closed."} Nothing to tick.`);
    const checkedAt = new Date();
    // Conditional, so two ticks at once leave exactly one.
    const { count } = await tx.followUpItem.updateMany({
      where: { id: item.id, checkedAt: null, closedAt: null },
      data: { checkedById: user.id, checkedAt, evidenceUrl, note },
    });
    if (count === 0) {
      const now = await tx.followUpItem.findUniqueOrThrow({
        where: { id: item.id },
        include: { checkedBy: { select: { name: true } } },
      });
      throw new AppError(
        "CONFLICT",
        now.checkedBy ? `${now.checkedBy.name} already ticked this follow-up.` : "This follow-up was closed just now.",
      );
    }
    await recordAudit(tx, actorOf(user), {
      action: "follow_up.tick",
      targetType: "release",
      targetId: item.releaseId,
      after: { item: item.label, due: item.due, runId: item.runId, evidenceUrl, note },
    });
    return { releaseId: item.releaseId, checkedAt };
  });
}
