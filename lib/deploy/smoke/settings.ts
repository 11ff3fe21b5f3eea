import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";
import type { SmokeCheckInput } from "@/lib/schemas/smoke-checks";

function requireAdmin(user: CurrentUser) {
  if (!can(user, "settings:manage"))
    throw new AppError("FORBIDDEN", forbiddenMessage("settings:manage", "change a service's smoke checks"));
}

/** Adds a check at the end of the target's list; audited (the secret is only ever a variable's name). */
export async function addSmokeCheck(user: CurrentUser, input: SmokeCheckInput) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const target = await tx.serviceTarget.findUnique({ where: { id: input.targetId } });
    if (!target) throw new AppError("NOT_FOUND", "That service target does not exist.");
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`smoke-checks:${target.id}`}))`;
    const last = await tx.smokeCheck.aggregate({ where: { targetId: target.id }, _max: { position: true } });
    const { targetId, ...fields } = input;
    const check = await tx.smokeCheck.create({
      data: { targetId, ...fields, position: (last._max.position ?? -1) + 1 },
    });
    await recordAudit(tx, actorOf(user), {
      action: "smoke_check.add",
      targetType: "service_target",
      targetId: target.id,
      after: fields,
    });
    return check;
  });
}

export async function removeSmokeCheck(user: CurrentUser, checkId: string) {
  requireAdmin(user);
  return db.$transaction(async (tx) => {
    const check = await tx.smokeCheck.findUnique({ where: { id: checkId } });
    if (!check) throw new AppError("NOT_FOUND", "That smoke check does not exist (removed already?).");
    await tx.smokeCheck.delete({ where: { id: check.id } });
    await recordAudit(tx, actorOf(user), {
      action: "smoke_check.remove",
      targetType: "service_target",
      targetId: check.targetId,
      before: { name: check.name, method: check.method, path: check.path },
    });
  });
}
