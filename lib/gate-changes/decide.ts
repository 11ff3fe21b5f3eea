import { applyGateOverride } from "@/lib/approvals/overrides";
import { actorOf, recordAudit, type Actor } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db, type DbTx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { GateChange } from "@/lib/generated/prisma/client";
import type { GateChangePayload } from "@/lib/gate-changes/request";
import { confirmRefusal, declineRefusal } from "@/lib/gate-changes/rules";
import { applyRoleGrant, rolesOf } from "@/lib/people/roles";
import { can, forbiddenMessage } from "@/lib/rbac";
import { ROLE_LABELS } from "@/lib/roles";
import {
  applyChecklistItemRemoval,
  applyEnvironmentSettings,
  applyFreezeRemoval,
  environmentGateOf,
  lockedEnvironment,
} from "@/lib/settings/environments";

/**
 * Reads the change under a row lock, so two admins confirming (or one confirming while another
 * declines) are decided one after the other and the change is applied at most once.
 */
async function lockedChange(tx: DbTx, id: string): Promise<GateChange> {
  const locked = await tx.$queryRaw<{ id: string }[]>`select id from gate_changes where id = ${id} for update`;
  if (locked.length === 0) throw new AppError("NOT_FOUND", "That change request does not exist.");
  return tx.gateChange.findUniqueOrThrow({ where: { id } });
}

const stale = (what: string) =>
  new AppError("CONFLICT", `${what} changed since this was asked for. Decline this request and ask again.`);

/** Carries out a confirmed change, checking first that what it was judged against still holds. */
async function apply(tx: DbTx, actor: Actor, change: GateChange, metadata: Record<string, unknown>) {
  const payload = change.payload as unknown as GateChangePayload;
  switch (payload.kind) {
    case "ENVIRONMENT_SETTINGS": {
      const environment = await lockedEnvironment(tx, payload.environmentId);
      if (!environment) throw new AppError("NOT_FOUND", "That environment no longer exists.");
      const now = environmentGateOf(environment);
      // Field by field: jsonb does not keep the key order the payload was written in.
      if ((Object.keys(now) as (keyof typeof now)[]).some((k) => now[k] !== payload.before[k]))
        throw stale(`${environment.displayName}'s settings`);
      return applyEnvironmentSettings(tx, actor, environment.id, payload.before, payload.after, metadata);
    }
    case "CHECKLIST_ITEM_REMOVE": {
      const item = await tx.checklistTemplateItem.findUnique({ where: { id: payload.itemId } });
      if (!item) throw new AppError("NOT_FOUND", "That checklist item was already removed.");
      return applyChecklistItemRemoval(tx, actor, item, metadata);
    }
    case "FREEZE_REMOVE": {
      const window = await tx.freezeWindow.findUnique({ where: { id: payload.freezeId } });
      if (!window) throw new AppError("NOT_FOUND", "That freeze window was already removed.");
      return applyFreezeRemoval(tx, actor, window, metadata);
    }
    case "ROLE_GRANT": {
      const person = await tx.user.findUnique({ where: { id: payload.userId } });
      if (!person) throw new AppError("NOT_FOUND", "That person no longer exists.");
      if (person.disabledAt) throw new AppError("CONFLICT", `${person.name}'s account was disabled.`);
      const before = await rolesOf(tx, person.id);
      if (before.includes(payload.role))
        throw new AppError("CONFLICT", `${person.name} already holds ${ROLE_LABELS[payload.role]}.`);
      return applyRoleGrant(tx, actor, change.requestedById, person, payload.role, before, metadata);
    }
    case "GATE_OVERRIDE":
      await applyGateOverride(
        tx,
        actor,
        {
          releaseId: payload.releaseId,
          revision: payload.revision,
          kind: payload.overrideKind,
          reason: payload.reason,
          requestedById: change.requestedById,
        },
        metadata,
      );
      return;
  }
}

function requireAdmin(user: CurrentUser, verb: string) {
  if (!can(user, "gate:confirm")) throw new AppError("FORBIDDEN", forbiddenMessage("gate:confirm", verb));
}

/**
 * A second admin confirms a pending change: it takes effect in the same transaction, with an
 * audit entry naming both admins.
 */
export async function confirmGateChange(user: CurrentUser, id: string, now = new Date()) {
  requireAdmin(user, "confirm a change to the gate");
  return db.$transaction(async (tx) => {
    const change = await lockedChange(tx, id);
    const payload = change.payload as unknown as GateChangePayload;
    const refusal = confirmRefusal(
      { ...change, subjectUserId: payload.kind === "ROLE_GRANT" ? payload.userId : null },
      user.id,
      now,
    );
    if (refusal) throw new AppError("CONFLICT", refusal);
    const requester = await tx.user.findUniqueOrThrow({
      where: { id: change.requestedById },
      include: { roles: { where: { role: "ADMIN" } } },
    });
    // A request is only as good as its author: one no longer an admin (or disabled) does not stand.
    if (requester.disabledAt || requester.roles.length === 0)
      throw new AppError(
        "CONFLICT",
        `${requester.name} is no longer an admin, so this request no longer stands. Decline it; ask again yourself if it is still needed.`,
      );
    // The change is the requester's; the entry says who confirmed it.
    await apply(tx, actorOf(requester), change, {
      gateChangeId: change.id,
      confirmedBy: `${user.name} <${user.email}>`,
    });
    const decided = await tx.gateChange.update({
      where: { id: change.id },
      data: { status: "CONFIRMED", decidedById: user.id, decidedAt: now },
    });
    await recordAudit(tx, actorOf(user), {
      action: "gate_change.confirm",
      targetType: "gate_change",
      targetId: change.id,
      before: { status: change.status },
      after: { status: decided.status, summary: change.summary },
      metadata: { requestedBy: `${requester.name} <${requester.email}>` },
    });
    return decided;
  });
}

/** Any admin declines a pending change (the one who asked withdraws it this way); nothing changes. */
export async function declineGateChange(user: CurrentUser, id: string, now = new Date()) {
  requireAdmin(user, "decline a change to the gate");
  return db.$transaction(async (tx) => {
    const change = await lockedChange(tx, id);
    const refusal = declineRefusal(change);
    if (refusal) throw new AppError("CONFLICT", refusal);
    const decided = await tx.gateChange.update({
      where: { id: change.id },
      data: { status: "DECLINED", decidedById: user.id, decidedAt: now },
    });
    await recordAudit(tx, actorOf(user), {
      action: "gate_change.decline",
      targetType: "gate_change",
      targetId: change.id,
      before: { status: change.status },
      after: { status: decided.status, summary: change.summary },
    });
    return decided;
  });
}
