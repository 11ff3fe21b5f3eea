import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";
import { ROLE_LABELS, type Role } from "@/lib/roles";

async function rolesOf(tx: Pick<typeof db, "roleAssignment">, userId: string): Promise<Role[]> {
  const rows = await tx.roleAssignment.findMany({ where: { userId }, orderBy: { role: "asc" } });
  return rows.map((r) => r.role);
}

export async function assignRole(actor: CurrentUser, userId: string, role: Role) {
  if (!can(actor, "people:manage")) throw new AppError("FORBIDDEN", forbiddenMessage("people:manage", "change roles"));
  try {
    return await db.$transaction(async (tx) => {
      const person = await tx.user.findUnique({ where: { id: userId } });
      if (!person) throw new AppError("NOT_FOUND", "That person does not exist.");
      const before = await rolesOf(tx, userId);
      if (before.includes(role)) throw new AppError("CONFLICT", `${person.name} already holds ${ROLE_LABELS[role]}.`);
      await tx.roleAssignment.create({ data: { userId, role, grantedById: actor.id } });
      await recordAudit(tx, actorOf(actor), {
        action: "role.assign",
        targetType: "user",
        targetId: userId,
        before: { roles: before },
        after: { roles: [...before, role].sort() },
        metadata: { role, person: person.email },
      });
      return person;
    });
  } catch (error) {
    // Two admins granting the same role at once: the unique index lets exactly one through.
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `That person already holds ${ROLE_LABELS[role]}.`);
    throw error;
  }
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
