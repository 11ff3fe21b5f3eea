import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db, type DbTx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { assertMayManage } from "@/lib/incidents/open-incident";
import { POSTMORTEM_SEVERITIES } from "@/lib/incidents/procedure";
import { needsPostmortem } from "@/lib/incidents/rules";
import { addTimelineEntry } from "@/lib/incidents/timeline";

async function postmortemIncident(tx: DbTx, incidentId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`select id from incidents where id = ${incidentId} for update`;
  if (rows.length === 0) throw new AppError("NOT_FOUND", "That incident does not exist.");
  const incident = await tx.incident.findUniqueOrThrow({ where: { id: incidentId } });
  if (!needsPostmortem(incident.severity))
    throw new AppError(
      "INVALID",
      `Postmortems are written for ${POSTMORTEM_SEVERITIES.join(" and ")} incidents; this one is ${incident.severity}.`,
    );
  return incident;
}

/** Saves the postmortem's impact, root cause and what went well (P1/P2). */
export async function savePostmortem(
  person: CurrentUser,
  input: { incidentId: string; impact: string; rootCause: string; wentWell: string },
) {
  assertMayManage(person, "write a postmortem");
  return db.$transaction(async (tx) => {
    const incident = await postmortemIncident(tx, input.incidentId);
    const first = incident.impact === null && incident.rootCause === null && incident.wentWell === null;
    const updated = await tx.incident.update({
      where: { id: incident.id },
      data: { impact: input.impact, rootCause: input.rootCause, wentWell: input.wentWell },
    });
    await addTimelineEntry(tx, {
      incidentId: incident.id,
      kind: "DOCUMENT",
      message: `${person.name} ${first ? "wrote" : "updated"} the postmortem`,
      actorId: person.id,
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.postmortem",
      targetType: "incident",
      targetId: incident.id,
      before: { impact: incident.impact, rootCause: incident.rootCause, wentWell: incident.wentWell },
      after: { impact: input.impact, rootCause: input.rootCause, wentWell: input.wentWell },
    });
    return updated;
  });
}

/** An action item of the postmortem, owned by a person with a role. */
export async function addActionItem(
  person: CurrentUser,
  input: { incidentId: string; title: string; ownerId: string; dueAt?: Date | null },
) {
  assertMayManage(person, "add a postmortem action item");
  return db.$transaction(async (tx) => {
    const incident = await postmortemIncident(tx, input.incidentId);
    const owner = await tx.user.findUnique({
      where: { id: input.ownerId },
      select: { id: true, name: true, disabledAt: true, _count: { select: { roles: true } } },
    });
    if (!owner || owner.disabledAt || owner._count.roles === 0)
      throw new AppError("INVALID", "The owner must be a person with a role in Greenlight.", {
        ownerId: ["Choose a person who holds a role."],
      });
    const item = await tx.postmortemActionItem.create({
      data: {
        incidentId: incident.id,
        title: input.title,
        ownerId: owner.id,
        dueAt: input.dueAt ?? null,
        createdById: person.id,
      },
    });
    await addTimelineEntry(tx, {
      incidentId: incident.id,
      kind: "REVIEW",
      message: `${person.name} added an action item for ${owner.name}: ${input.title}${input.dueAt ? ` (due ${input.dueAt.toISOString().slice(0, 10)})` : ""}`,
      actorId: person.id,
      data: { actionItemId: item.id, ownerId: owner.id },
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.action_item.add",
      targetType: "incident",
      targetId: incident.id,
      after: { id: item.id, title: item.title, ownerId: owner.id, dueAt: item.dueAt },
    });
    return item;
  });
}

/** Marks an action item done, once. */
export async function completeActionItem(person: CurrentUser, input: { itemId: string; incidentId: string }) {
  assertMayManage(person, "complete a postmortem action item");
  return db.$transaction(async (tx) => {
    const now = new Date();
    const done = await tx.postmortemActionItem.updateMany({
      where: { id: input.itemId, incidentId: input.incidentId, doneAt: null },
      data: { doneAt: now },
    });
    // Only an item of the incident the page named: the action revalidates that incident's page.
    const item = await tx.postmortemActionItem.findFirst({ where: { id: input.itemId, incidentId: input.incidentId } });
    if (!item) throw new AppError("NOT_FOUND", "That action item does not exist on this incident.");
    if (done.count === 0) throw new AppError("CONFLICT", "That action item is already done.");
    await addTimelineEntry(tx, {
      incidentId: item.incidentId,
      kind: "REVIEW",
      message: `${person.name} marked an action item done: ${item.title}`,
      actorId: person.id,
      data: { actionItemId: item.id },
      at: now,
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.action_item.done",
      targetType: "incident",
      targetId: item.incidentId,
      after: { id: item.id, doneAt: now },
    });
    return item;
  });
}
