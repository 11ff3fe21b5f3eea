import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { FollowUpDue } from "@/lib/generated/prisma/enums";
import { can, forbiddenMessage } from "@/lib/rbac";

/**
 * The environment's post-deployment checklist, edited by admins. Follow-ups are not part of the
 * release gate, so every change applies at once (no second admin), and each is audited. Deploys
 * already made keep the copy they took.
 */
function requireAdmin(user: CurrentUser) {
  if (!can(user, "settings:manage"))
    throw new AppError("FORBIDDEN", forbiddenMessage("settings:manage", "change environment settings"));
}

export async function addFollowUpTemplateItem(
  user: CurrentUser,
  input: { environmentId: string; label: string; due: FollowUpDue },
) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: input.environmentId } });
    if (!environment) throw new AppError("NOT_FOUND", "That environment does not exist.");
    // Positions are dense per environment: two admins adding at once take turns.
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`follow-ups:${environment.id}`}))`;
    const last = await tx.followUpTemplateItem.aggregate({
      where: { environmentId: environment.id },
      _max: { position: true },
    });
    const item = await tx.followUpTemplateItem.create({
      data: {
        environmentId: environment.id,
        label: input.label,
        due: input.due,
        position: (last._max.position ?? -1) + 1,
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "follow_up_template.add",
      targetType: "environment",
      targetId: environment.id,
      after: { label: item.label, due: item.due },
    });
    return item;
  });
}

export async function removeFollowUpTemplateItem(user: CurrentUser, itemId: string) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const item = await tx.followUpTemplateItem.findUnique({ where: { id: itemId } });
    if (!item) throw new AppError("NOT_FOUND", "That follow-up is not in the template (removed already?).");
    await tx.followUpTemplateItem.delete({ where: { id: item.id } });
    await recordAudit(tx, actorOf(user), {
      action: "follow_up_template.remove",
      targetType: "environment",
      targetId: item.environmentId,
      before: { label: item.label, due: item.due },
    });
  });
}

export async function setFollowUpTimeZone(user: CurrentUser, input: { environmentId: string; timeZone: string }) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: input.environmentId } });
    if (!environment) throw new AppError("NOT_FOUND", "That environment does not exist.");
    if (environment.followUpTimeZone === input.timeZone) return;
    await tx.environment.update({ where: { id: environment.id }, data: { followUpTimeZone: input.timeZone } });
    await recordAudit(tx, actorOf(user), {
      action: "follow_up_template.time_zone",
      targetType: "environment",
      targetId: environment.id,
      before: { timeZone: environment.followUpTimeZone },
      after: { timeZone: input.timeZone },
    });
  });
}
