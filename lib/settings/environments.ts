import { actorOf, recordAudit, type Actor } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db, type DbTx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { FreezeWindow } from "@/lib/generated/prisma/client";
import { requestGateChange } from "@/lib/gate-changes/request";
import { environmentWeakenings, type EnvironmentGate } from "@/lib/gate-changes/rules";
import { can, forbiddenMessage } from "@/lib/rbac";
import type { EnvironmentSettingsInput, FreezeWindowInput } from "@/lib/schemas/settings";

function requireAdmin(user: CurrentUser) {
  if (!can(user, "settings:manage"))
    throw new AppError("FORBIDDEN", forbiddenMessage("settings:manage", "change environment settings"));
}

const gateOf = (e: EnvironmentGate): EnvironmentGate => ({
  requiresApproval: e.requiresApproval,
  authorMaySign: e.authorMaySign,
  approvalTtlHours: e.approvalTtlHours,
  errorBudgetGate: e.errorBudgetGate,
});

/**
 * Reads an environment under a row lock, so a direct save and a confirmed request of the same
 * environment happen one after the other (the later one sees the earlier one's values).
 */
export async function lockedEnvironment(tx: DbTx, id: string) {
  await tx.$queryRaw`select id from environments where id = ${id} for update`;
  return tx.environment.findUnique({ where: { id } });
}

/** What a settings change did: applied at once, or stored for a second admin (`pending`). */
export type GateChangeOutcome = { pending: null } | { pending: { id: string; summary: string } };

/**
 * Tightening applies at once; a change that weakens the gate (lib/gate-changes/rules.ts) is
 * stored pending, whole, until a second admin confirms it.
 */
export async function updateEnvironmentSettings(
  user: CurrentUser,
  input: EnvironmentSettingsInput,
): Promise<GateChangeOutcome> {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const environment = await lockedEnvironment(tx, input.environmentId);
    if (!environment) throw new AppError("NOT_FOUND", "That environment does not exist.");
    const before = gateOf(environment);
    const after = gateOf(input);
    const weakenings = environmentWeakenings(before, after);
    if (weakenings.length === 0) {
      await applyEnvironmentSettings(tx, actorOf(user), environment.id, before, after);
      return { pending: null };
    }
    const summary = `${environment.displayName}: ${weakenings.join(", ")}`;
    const change = await requestGateChange(
      tx,
      user,
      { kind: "ENVIRONMENT_SETTINGS", environmentId: environment.id, before, after },
      summary,
    );
    return { pending: { id: change.id, summary } };
  });
}

/** Writes the settings and their audit entry; `confirmedBy` when a second admin confirmed them. */
export async function applyEnvironmentSettings(
  tx: DbTx,
  actor: Actor,
  environmentId: string,
  before: EnvironmentGate,
  after: EnvironmentGate,
  metadata?: Record<string, unknown>,
) {
  await tx.environment.update({ where: { id: environmentId }, data: after });
  await recordAudit(tx, actor, {
    action: "environment.update",
    targetType: "environment",
    targetId: environmentId,
    before,
    after,
    metadata,
  });
}

export { gateOf as environmentGateOf };

export async function addChecklistItem(
  user: CurrentUser,
  input: { environmentId: string; label: string; required: boolean; evidenceRequired: boolean },
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
        evidenceRequired: input.evidenceRequired,
        position: (last._max.position ?? -1) + 1,
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "checklist_template.add",
      targetType: "environment",
      targetId: environment.id,
      after: { label: item.label, required: item.required, evidenceRequired: item.evidenceRequired },
    });
    return item;
  });
}

/** An optional item goes at once; removing a required one lowers what the gate asks, so it waits for a second admin. */
export async function removeChecklistItem(user: CurrentUser, itemId: string): Promise<GateChangeOutcome> {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const item = await tx.checklistTemplateItem.findUnique({ where: { id: itemId }, include: { environment: true } });
    if (!item) throw new AppError("NOT_FOUND", "That checklist item does not exist.");
    if (!item.required) {
      await applyChecklistItemRemoval(tx, actorOf(user), item);
      return { pending: null };
    }
    const summary = `${item.environment.displayName}: remove the required checklist item "${item.label}"`;
    const change = await requestGateChange(
      tx,
      user,
      { kind: "CHECKLIST_ITEM_REMOVE", itemId: item.id, environmentId: item.environmentId, label: item.label },
      summary,
    );
    return { pending: { id: change.id, summary } };
  });
}

export async function applyChecklistItemRemoval(
  tx: DbTx,
  actor: Actor,
  item: { id: string; environmentId: string; label: string; required: boolean },
  metadata?: Record<string, unknown>,
) {
  await tx.checklistTemplateItem.delete({ where: { id: item.id } });
  await recordAudit(tx, actor, {
    action: "checklist_template.remove",
    targetType: "environment",
    targetId: item.environmentId,
    before: { label: item.label, required: item.required },
    metadata,
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

/** A freeze that is over goes at once; lifting one that still applies waits for a second admin. */
export async function removeFreezeWindow(
  user: CurrentUser,
  freezeId: string,
  now = new Date(),
): Promise<GateChangeOutcome> {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const window = await tx.freezeWindow.findUnique({ where: { id: freezeId }, include: { environment: true } });
    if (!window) throw new AppError("NOT_FOUND", "That freeze window does not exist.");
    const { environment, ...freeze } = window;
    const over = freeze.recurrence === "NONE" && freeze.endsAt !== null && freeze.endsAt <= now;
    if (over) {
      await applyFreezeRemoval(tx, actorOf(user), freeze);
      return { pending: null };
    }
    const summary = `${environment.displayName}: lift the freeze "${freeze.reason}"`;
    const change = await requestGateChange(
      tx,
      user,
      { kind: "FREEZE_REMOVE", freezeId: window.id, environmentId: window.environmentId, reason: window.reason },
      summary,
    );
    return { pending: { id: change.id, summary } };
  });
}

export async function applyFreezeRemoval(
  tx: DbTx,
  actor: Actor,
  window: FreezeWindow,
  metadata?: Record<string, unknown>,
) {
  await tx.freezeWindow.delete({ where: { id: window.id } });
  await recordAudit(tx, actor, {
    action: "freeze.remove",
    targetType: "environment",
    targetId: window.environmentId,
    before: window,
    metadata,
  });
}
