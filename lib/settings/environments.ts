import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";
import type { EnvironmentSettingsInput, FreezeWindowInput } from "@/lib/schemas/settings";

function requireAdmin(user: CurrentUser) {
  if (!can(user, "settings:manage"))
    throw new AppError("FORBIDDEN", forbiddenMessage("settings:manage", "change environment settings"));
}

export async function updateEnvironmentSettings(user: CurrentUser, input: EnvironmentSettingsInput) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const before = await tx.environment.findUnique({ where: { id: input.environmentId } });
    if (!before) throw new AppError("NOT_FOUND", "That environment does not exist.");
    const after = await tx.environment.update({
      where: { id: before.id },
      data: {
        requiresApproval: input.requiresApproval,
        authorMaySign: input.authorMaySign,
        approvalTtlHours: input.approvalTtlHours,
        errorBudgetGate: input.errorBudgetGate,
      },
    });
    const pick = (e: typeof before) => ({
      requiresApproval: e.requiresApproval,
      authorMaySign: e.authorMaySign,
      approvalTtlHours: e.approvalTtlHours,
      errorBudgetGate: e.errorBudgetGate,
    });
    await recordAudit(tx, actorOf(user), {
      action: "environment.update",
      targetType: "environment",
      targetId: before.id,
      before: pick(before),
      after: pick(after),
    });
    return after;
  });
}

export async function addChecklistItem(
  user: CurrentUser,
  input: { environmentId: string; label: string; required: boolean },
) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: input.environmentId } });
    if (!environment) throw new AppError("NOT_FOUND", "That environment does not exist.");
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`checklist:${environment.id}`}))`;
    const last = await tx.checklistTemplateItem.aggregate({
      where: { environmentId: environment.id },
      _max: { position: true },
    });
    const item = await tx.checklistTemplateItem.create({
      data: {
        environmentId: environment.id,
        label: input.label,
        required: input.required,
        position: (last._max.position ?? -1) + 1,
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "checklist_template.add",
      targetType: "environment",
      targetId: environment.id,
      after: { label: item.label, required: item.required },
    });
    return item;
  });
}

export async function removeChecklistItem(user: CurrentUser, itemId: string) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const item = await tx.checklistTemplateItem.findUnique({ where: { id: itemId } });
    if (!item) throw new AppError("NOT_FOUND", "That checklist item does not exist.");
    await tx.checklistTemplateItem.delete({ where: { id: item.id } });
    await recordAudit(tx, actorOf(user), {
      action: "checklist_template.remove",
      targetType: "environment",
      targetId: item.environmentId,
      before: { label: item.label, required: item.required },
    });
    return item;
  });
}

export async function addFreezeWindow(user: CurrentUser, input: FreezeWindowInput) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const environment = await tx.environment.findUnique({ where: { id: input.environmentId } });
    if (!environment) throw new AppError("NOT_FOUND", "That environment does not exist.");
    const window = await tx.freezeWindow.create({
      data: {
        environmentId: environment.id,
        reason: input.reason,
        recurrence: input.recurrence,
        startsAt: input.startsAt,
        endsAt: input.endsAt ?? null,
        localStartTime: input.recurrence === "NONE" ? null : input.localStartTime,
        durationMinutes: input.recurrence === "NONE" ? null : input.durationMinutes,
        weekdays: input.recurrence === "WEEKLY" ? input.weekdays : [],
        timeZone: input.timeZone,
        createdById: user.id,
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "freeze.add",
      targetType: "environment",
      targetId: environment.id,
      after: window,
    });
    return window;
  });
}

export async function removeFreezeWindow(user: CurrentUser, freezeId: string) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const window = await tx.freezeWindow.findUnique({ where: { id: freezeId } });
    if (!window) throw new AppError("NOT_FOUND", "That freeze window does not exist.");
    await tx.freezeWindow.delete({ where: { id: window.id } });
    await recordAudit(tx, actorOf(user), {
      action: "freeze.remove",
      targetType: "environment",
      targetId: window.environmentId,
      before: window,
    });
    return window;
  });
}
