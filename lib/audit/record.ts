import type { DbTx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";

export interface Actor {
  id: string | null;
  /** Name and email, or "system" for the app itself. */
  label: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, label: "system" };

export function actorOf(person: { id: string; name: string; email: string }): Actor {
  return { id: person.id, label: `${person.name} <${person.email}>` };
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
  metadata?: unknown;
}

function json(value: unknown): Prisma.InputJsonValue | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}

/**
 * Appends one entry to the audit log. Call it inside the same transaction as the change it
 * describes, so there is never a change without its entry or an entry without its change.
 */
export async function recordAudit(tx: DbTx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: json(entry.before),
      after: json(entry.after),
      metadata: json(entry.metadata),
    },
  });
}
