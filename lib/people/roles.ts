import { actorOf, recordAudit, type Actor } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db, type DbTx } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { requestGateChange } from "@/lib/gate-changes/request";
import { roleGrantNeedsConfirmation, roleGrantSummary } from "@/lib/gate-changes/rules";
import { can, forbiddenMessage } from "@/lib/rbac";
import { ROLE_LABELS, type Role } from "@/lib/roles";

export async function rolesOf(tx: Pick<typeof db, "roleAssignment">, userId: string): Promise<Role[]> {
  const rows = await tx.roleAssignment.findMany({ where: { userId }, orderBy: { role: "asc" } });
  return rows.map((r) => r.role);
}

/**
 * Grants a role. Nobody grants a role to themselves; an approver role or admin (which let
 * someone sign for production or change the gate) waits for a second admin's confirmation.
 */
export async function assignRole(
  actor: CurrentUser,
  userId: string,
  role: Role,
): Promise<{ person: { id: string; name: string }; pending: { id: string; summary: string } | null }> {
  if (!can(actor, "people:manage")) throw new AppError("FORBIDDEN", forbiddenMessage("people:manage", "change roles"));
  if (actor.id === userId) throw new AppError("FORBIDDEN", "Nobody can grant a role to themselves. Ask another admin.");
  try {
    return await db.$transaction(async (tx) => {
      const person = await tx.user.findUnique({ where: { id: userId } });
      if (!person) throw new AppError("NOT_FOUND", "That person does not exist.");
      if (person.disabledAt) throw new AppError("CONFLICT", `${person.name}'s account is disabled.`);
      const before = await rolesOf(tx, userId);
      if (before.includes(role)) throw new AppError("CONFLICT", `${person.name} already holds ${ROLE_LABELS[role]}.`);
      if (!roleGrantNeedsConfirmation(role)) {
        await applyRoleGrant(tx, actorOf(actor), actor.id, person, role, before);
        return { person, pending: null };
      }
      const summary = roleGrantSummary(person.name, role);
      const change = await requestGateChange(tx, actor, { kind: "ROLE_GRANT", userId, role }, summary);
      return { person, pending: { id: change.id, summary } };
    });
  } catch (error) {
    // Two admins granting the same role at once: the unique index lets exactly one through.
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `That person already holds ${ROLE_LABELS[role]}.`);
    throw error;
  }
}

/** Writes the role and its audit entry; `grantedById` is who asked for it. */
export async function applyRoleGrant(
  tx: DbTx,
  actor: Actor,
  grantedById: string,
  person: { id: string; email: string },
  role: Role,
  before: Role[],
  metadata?: Record<string, unknown>,
) {
  await tx.roleAssignment.create({ data: { userId: person.id, role, grantedById } });
  await recordAudit(tx, actor, {
    action: "role.assign",
    targetType: "user",
    targetId: person.id,
    before: { roles: before },
    after: { roles: [...before, role].sort() },
    metadata: { role, person: person.email, ...metadata },
  });
}

export async function removeRole(actor: CurrentUser, userId: string, role: Role) {
  if (!can(actor, "people:manage")) throw new AppError("FORBIDDEN", forbiddenMessage("people:manage", "change roles"));
  return db.$transaction(async (tx) => {
    const person = await tx.user.findUnique({ where: { id: userId } });
    if (!person) throw new AppError("NOT_FOUND", "That person does not exist.");
    if (role === "ADMIN") {
      // Serialise admin removals so two admins cannot remove each other at the same moment.
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('greenlight:admin-roles'))`;
      const admins = await tx.roleAssignment.count({ where: { role: "ADMIN", user: { disabledAt: null } } });
      if (admins <= 1) throw new AppError("CONFLICT", "This is the last admin. Make someone else an admin first.");
    }
    const before = await rolesOf(tx, userId);
    const removed = await tx.roleAssignment.deleteMany({ where: { userId, role } });
    if (removed.count === 0) throw new AppError("CONFLICT", `${person.name} does not hold ${ROLE_LABELS[role]}.`);
    await recordAudit(tx, actorOf(actor), {
      action: "role.remove",
      targetType: "user",
      targetId: userId,
      before: { roles: before },
      after: { roles: before.filter((r) => r !== role) },
      metadata: { role, person: person.email },
    });
    return person;
  });
}
