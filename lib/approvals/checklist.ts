import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";

/** Ticks (or unticks) one checklist item, with the person's name and optional evidence. */
export async function tickChecklistItem(
  user: CurrentUser,
  input: { releaseId: string; itemId: string; checked: boolean; evidenceUrl?: string },
) {
  if (!can(user, "checklist:tick"))
    throw new AppError("FORBIDDEN", forbiddenMessage("checklist:tick", "tick checklist items"));
  return db.$transaction(async (tx) => {
    const item = await tx.checklistItem.findFirst({
      where: { id: input.itemId, releaseId: input.releaseId },
      include: { release: true },
    });
    if (!item) throw new AppError("NOT_FOUND", "That checklist item does not exist.");
    if (!["PENDING", "APPROVED", "FAILED"].includes(item.release.status))
      throw new AppError("CONFLICT", "This release's checklist is closed.");
    if (Boolean(item.checkedAt) === input.checked)
      throw new AppError("CONFLICT", input.checked ? "Someone already ticked this item." : "This item is not ticked.");
    const updated = await tx.checklistItem.update({
      where: { id: item.id },
      data: input.checked
        ? { checkedAt: new Date(), checkedById: user.id, evidenceUrl: input.evidenceUrl || null }
        : { checkedAt: null, checkedById: null, evidenceUrl: null },
    });
    await recordAudit(tx, actorOf(user), {
      action: input.checked ? "checklist.tick" : "checklist.untick",
      targetType: "release",
      targetId: input.releaseId,
      before: { item: item.label, checked: Boolean(item.checkedAt) },
      after: { item: item.label, checked: input.checked, evidenceUrl: input.evidenceUrl || null },
    });
    return updated;
  });
}
