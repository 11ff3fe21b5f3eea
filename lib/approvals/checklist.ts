import { tickRefusal } from "@/lib/approvals/policy";
import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";

export interface TickInput {
  releaseId: string;
  itemId: string;
  /** The revision the person looked at; ticking anything else is refused. */
  revision: number;
  checked: boolean;
  evidenceUrl?: string;
}

/**
 * Ticks (or unticks) one checklist item on the release's current revision, with the person's
 * name and evidence (required where the item says so). A tick binds to the revision like a
 * sign-off: an edit voids it and the gate asks for it again; unticking withdraws it. Both stay
 * on the record.
 */
export async function tickChecklistItem(user: CurrentUser, input: TickInput) {
  if (!can(user, "checklist:tick"))
    throw new AppError("FORBIDDEN", forbiddenMessage("checklist:tick", "tick checklist items"));
  const evidenceUrl = input.evidenceUrl?.trim() || null;
  try {
    return await db.$transaction(async (tx) => {
      // Shared lock: an edit (a new revision) or the run finishing the release waits for this tick.
      const [release] = await tx.$queryRaw<{ status: string; revision: number }[]>`
        select status::text, revision from releases where id = ${input.releaseId} for share`;
      const item = release
        ? await tx.checklistItem.findFirst({
            where: { id: input.itemId, releaseId: input.releaseId },
            include: {
              ticks: {
                where: { revision: release.revision, withdrawnAt: null },
                include: { checkedBy: { select: { name: true } } },
              },
            },
          })
        : null;
      if (!release || !item) throw new AppError("NOT_FOUND", "That checklist item does not exist.");
      const live = item.ticks[0] ?? null;
      const refusal = tickRefusal(release, item, live && { userName: live.checkedBy.name }, { ...input, evidenceUrl });
      if (refusal)
        throw new AppError(
          refusal.code,
          refusal.message,
          refusal.field ? { [refusal.field]: [refusal.message] } : undefined,
        );
      const tick = input.checked
        ? await tx.checklistTick.create({
            data: {
              itemId: item.id,
              releaseId: input.releaseId,
              revision: release.revision,
              checkedById: user.id,
              evidenceUrl,
            },
          })
        : await tx.checklistTick.update({ where: { id: live!.id }, data: { withdrawnAt: new Date() } });
      await recordAudit(tx, actorOf(user), {
        action: input.checked ? "checklist.tick" : "checklist.untick",
        targetType: "release",
        targetId: input.releaseId,
        before: { item: item.label, revision: release.revision, checked: Boolean(live) },
        after: {
          item: item.label,
          revision: release.revision,
          checked: input.checked,
          evidenceUrl: input.checked ? evidenceUrl : null,
        },
      });
      return tick;
    });
  } catch (error) {
    // Two people ticked the same item at once: the partial unique index let one through.
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", "Someone else ticked this item just now. Reload.");
    throw error;
  }
}
