import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import type { DbTx } from "@/lib/db";
import { AppError, isUniqueViolation } from "@/lib/errors";
import type { GateOverrideKind } from "@/lib/generated/prisma/enums";
import type { Prisma } from "@/lib/generated/prisma/client";
import { expiryOf, type EnvironmentGate, type GateChangeKind } from "@/lib/gate-changes/rules";
import type { Role } from "@/lib/roles";

/** Each kind's payload: the change, and what it was made against so a confirmation can tell it is stale. */
export type GateChangePayload =
  | { kind: "ENVIRONMENT_SETTINGS"; environmentId: string; before: EnvironmentGate; after: EnvironmentGate }
  | { kind: "CHECKLIST_ITEM_REMOVE"; itemId: string; environmentId: string; label: string }
  | { kind: "FREEZE_REMOVE"; freezeId: string; environmentId: string; reason: string }
  | { kind: "ROLE_GRANT"; userId: string; role: Role }
  | { kind: "GATE_OVERRIDE"; releaseId: string; revision: number; overrideKind: GateOverrideKind; reason: string };

/** What a pending change is about: at most one pending request per key (a partial unique index). */
export function gateChangeKey(payload: GateChangePayload): string {
  switch (payload.kind) {
    case "ENVIRONMENT_SETTINGS":
      return `environment:${payload.environmentId}`;
    case "CHECKLIST_ITEM_REMOVE":
      return `checklist-item:${payload.itemId}`;
    case "FREEZE_REMOVE":
      return `freeze:${payload.freezeId}`;
    case "ROLE_GRANT":
      return `role:${payload.userId}:${payload.role}`;
    case "GATE_OVERRIDE":
      return `override:${payload.releaseId}:${payload.overrideKind}`;
  }
}

/**
 * Stores a change that weakens the gate as pending, for a second admin to confirm
 * (lib/gate-changes/decide.ts applies it then). Call inside the transaction that read the state
 * the change was judged against.
 */
export async function requestGateChange(
  tx: DbTx,
  user: CurrentUser,
  payload: GateChangePayload,
  summary: string,
  now = new Date(),
) {
  const key = gateChangeKey(payload);
  // A lapsed request no longer blocks asking again.
  await tx.$executeRaw`
    update gate_changes set status = 'EXPIRED', decided_at = expires_at
    where key = ${key} and status = 'PENDING' and expires_at <= ${now}`;
  const waiting = await tx.gateChange.findFirst({
    where: { key, status: "PENDING" },
    include: { requestedBy: { select: { name: true } } },
  });
  if (waiting)
    throw new AppError(
      "CONFLICT",
      `${waiting.requestedBy.name} already asked for a change here ("${waiting.summary}"); it is waiting for a second admin. Confirm or decline that first.`,
    );
  try {
    const change = await tx.gateChange.create({
      data: {
        kind: payload.kind satisfies GateChangeKind,
        key,
        summary,
        payload: payload as unknown as Prisma.InputJsonValue,
        requestedById: user.id,
        requestedAt: now,
        expiresAt: expiryOf(now),
      },
    });
    await recordAudit(tx, actorOf(user), {
      action: "gate_change.request",
      targetType: "gate_change",
      targetId: change.id,
      after: { kind: change.kind, summary, payload },
    });
    return change;
  } catch (error) {
    // Two admins asking at the same moment: the partial unique index lets one through.
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", "Another admin asked for a change here a moment ago. Reload to see it.");
    throw error;
  }
}
