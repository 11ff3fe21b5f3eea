import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { can, forbiddenMessage } from "@/lib/rbac";
import {
  promqlFieldErrors,
  type ServiceTargetSettings,
  type StoredTargetSettings,
} from "@/lib/schemas/service-targets";

const FIELDS = [
  "metricsSelector",
  "requestsMetric",
  "durationMetric",
  "statusLabel",
  "cpuMetric",
  "memoryMetric",
  "maxErrorRate",
  "maxLatencyP95",
  "maxLatencyP99",
  "minRequests",
  "verifyWindowSeconds",
  "autoRollback",
  "canarySteps",
  "canaryPauseSeconds",
] as const satisfies readonly (keyof StoredTargetSettings)[];

type Field = (typeof FIELDS)[number];

function pick(row: StoredTargetSettings, fields: readonly Field[]): Partial<StoredTargetSettings> {
  return Object.fromEntries(fields.map((f) => [f, row[f]]));
}

/** The fields whose value differs (arrays by content). */
export function changedFields(before: StoredTargetSettings, after: StoredTargetSettings): Field[] {
  return FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/**
 * Saves one target's SLI and analysis settings, audited with the changed fields only. Saving an
 * unchanged form writes nothing, so the audit log shows real changes, not clicks.
 */
export async function updateServiceTarget(user: CurrentUser, input: ServiceTargetSettings) {
  if (!can(user, "settings:manage"))
    throw new AppError("FORBIDDEN", forbiddenMessage("settings:manage", "change service settings"));
  // These values end up inside PromQL; refuse them here too, whatever the caller parsed.
  const unsafe = promqlFieldErrors(input);
  const first = Object.values(unsafe)[0];
  if (first) throw new AppError("INVALID", first[0], unsafe);

  const { targetId, ...next } = input;
  return db.$transaction(async (tx) => {
    // Locked so two admins saving at once are audited in order, each against what it replaced.
    const locked = await tx.$queryRaw<
      { id: string }[]
    >`select id from service_targets where id = ${targetId} for update`;
    if (locked.length === 0) throw new AppError("NOT_FOUND", "That service target does not exist.");
    const before = await tx.serviceTarget.findUniqueOrThrow({
      where: { id: targetId },
      include: { service: { select: { name: true } }, environment: { select: { name: true } } },
    });
    const changed = changedFields(before, next);
    if (changed.length === 0) return { changed, serviceName: before.service.name };
    const after = await tx.serviceTarget.update({ where: { id: targetId }, data: pick(next, changed) });
    await recordAudit(tx, actorOf(user), {
      action: "service_target.update",
      targetType: "service_target",
      targetId,
      before: pick(before, changed),
      after: pick(after, changed),
      metadata: { service: before.service.name, environment: before.environment.name },
    });
    return { changed, serviceName: before.service.name };
  });
}
