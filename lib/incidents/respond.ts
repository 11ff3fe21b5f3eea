import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db, type DbTx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { humanize } from "@/lib/format/humanize";
import type { IncidentStatus, IncidentStep, Severity } from "@/lib/generated/prisma/client";
import { assertMayManage } from "@/lib/incidents/open-incident";
import { acknowledgeClock, restoresService, statusChangeRefusal } from "@/lib/incidents/procedure";
import { RESOLUTION_MIN_LENGTH, formatDuration } from "@/lib/incidents/rules";
import { addTimelineEntry, linkRun } from "@/lib/incidents/timeline";

const utc = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/** The incident, locked for the rest of the transaction: two people's changes apply one after the other. */
async function lockIncident(tx: DbTx, incidentId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`select id from incidents where id = ${incidentId} for update`;
  if (rows.length === 0) throw new AppError("NOT_FOUND", "That incident does not exist.");
  return tx.incident.findUniqueOrThrow({ where: { id: incidentId } });
}

async function personName(tx: DbTx, id: string | null): Promise<string> {
  if (!id) return "nobody";
  return (await tx.user.findUnique({ where: { id }, select: { name: true } }))?.name ?? "someone";
}

/**
 * Acknowledges an incident, once: the clock stops and the person takes command if nobody has.
 * Two people pressing at once: the conditional update lets exactly one through, and the other is
 * told who was first.
 */
export async function acknowledgeIncident(person: CurrentUser, incidentId: string, now = new Date()) {
  assertMayManage(person, "acknowledge an incident");
  return db.$transaction(async (tx) => {
    const won = await tx.incident.updateMany({
      where: { id: incidentId, acknowledgedAt: null },
      data: { acknowledgedAt: now, acknowledgedById: person.id },
    });
    if (won.count === 0) {
      const current = await tx.incident.findUnique({
        where: { id: incidentId },
        select: { acknowledgedAt: true, acknowledgedBy: { select: { name: true } } },
      });
      if (!current) throw new AppError("NOT_FOUND", "That incident does not exist.");
      throw new AppError(
        "CONFLICT",
        `${current.acknowledgedBy?.name ?? "Someone"} already acknowledged this incident at ${current.acknowledgedAt ? utc(current.acknowledgedAt) : "an earlier moment"}.`,
      );
    }
    const commanded = await tx.incident.updateMany({
      where: { id: incidentId, commanderId: null },
      data: { commanderId: person.id },
    });
    const incident = await tx.incident.findUniqueOrThrow({ where: { id: incidentId } });
    const clock = acknowledgeClock(incident, now);
    await addTimelineEntry(tx, {
      incidentId,
      kind: "ACKNOWLEDGE",
      message: `${person.name} acknowledged after ${formatDuration(clock.elapsedMs)} (target ${formatDuration(clock.targetMinutes * 60_000)}${clock.breached ? ", missed" : ""})`,
      actorId: person.id,
      data: { elapsedMs: clock.elapsedMs, targetMinutes: clock.targetMinutes, withinTarget: !clock.breached },
      at: now,
    });
    if (commanded.count === 1)
      await addTimelineEntry(tx, {
        incidentId,
        kind: "COMMANDER_CHANGE",
        message: `${person.name} took command`,
        actorId: person.id,
        data: { from: null, to: person.id, toName: person.name },
        at: now,
      });
    await recordAudit(tx, actorOf(person), {
      action: "incident.acknowledge",
      targetType: "incident",
      targetId: incidentId,
      after: {
        acknowledgedAt: now,
        elapsedMs: clock.elapsedMs,
        commander: commanded.count === 1 ? person.id : undefined,
      },
    });
    return incident;
  });
}

/** Moves an open incident between investigating, identified and monitoring (resolve and reopen have their own). */
export async function changeIncidentStatus(person: CurrentUser, incidentId: string, to: IncidentStatus) {
  assertMayManage(person, "change an incident's status");
  return db.$transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const refusal = statusChangeRefusal(incident.status, to);
    if (refusal) throw new AppError("CONFLICT", refusal);
    if (incident.status === "RESOLVED") return reopenLocked(tx, person, incident);
    const now = new Date();
    const restoring = restoresService(to) && incident.restoredAt === null;
    const updated = await tx.incident.update({
      where: { id: incidentId },
      data: { status: to, ...(restoring ? { restoredAt: now } : {}) },
    });
    await addTimelineEntry(tx, {
      incidentId,
      kind: "STATUS_CHANGE",
      message: `${person.name} changed the status from ${humanize(incident.status)} to ${humanize(to)}${restoring ? `: service restored after ${formatDuration(now.getTime() - incident.openedAt.getTime())}` : ""}`,
      actorId: person.id,
      data: { from: incident.status, to, ...(restoring ? { restoredAt: now.toISOString() } : {}) },
      at: now,
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.status",
      targetType: "incident",
      targetId: incidentId,
      before: { status: incident.status },
      after: { status: to, ...(restoring ? { restoredAt: now } : {}) },
    });
    return updated;
  });
}

export async function changeIncidentSeverity(person: CurrentUser, incidentId: string, to: Severity) {
  assertMayManage(person, "change an incident's severity");
  return db.$transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (incident.severity === to) throw new AppError("CONFLICT", `The incident is already ${to}.`);
    const updated = await tx.incident.update({ where: { id: incidentId }, data: { severity: to } });
    await addTimelineEntry(tx, {
      incidentId,
      kind: "SEVERITY_CHANGE",
      message: `${person.name} changed the severity from ${incident.severity} to ${to}`,
      actorId: person.id,
      data: { from: incident.severity, to },
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.severity",
      targetType: "incident",
      targetId: incidentId,
      before: { severity: incident.severity },
      after: { severity: to },
    });
    return updated;
  });
}

/** Hands command to any signed-in person who holds a role. */
export async function setIncidentCommander(person: CurrentUser, incidentId: string, commanderId: string) {
  assertMayManage(person, "change an incident's commander");
  return db.$transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    const commander = await tx.user.findUnique({
      where: { id: commanderId },
      select: { id: true, name: true, disabledAt: true, _count: { select: { roles: true } } },
    });
    if (!commander || commander.disabledAt || commander._count.roles === 0)
      throw new AppError("INVALID", "The commander must be a person with a role in Greenlight.", {
        commanderId: ["Choose a person who holds a role."],
      });
    if (incident.commanderId === commanderId)
      throw new AppError("CONFLICT", `${commander.name} is already the commander.`);
    const fromName = await personName(tx, incident.commanderId);
    const updated = await tx.incident.update({ where: { id: incidentId }, data: { commanderId } });
    await addTimelineEntry(tx, {
      incidentId,
      kind: "COMMANDER_CHANGE",
      message: `${person.name} handed command from ${fromName} to ${commander.name}`,
      actorId: person.id,
      data: { from: incident.commanderId, to: commanderId, fromName, toName: commander.name },
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.commander",
      targetType: "incident",
      targetId: incidentId,
      before: { commanderId: incident.commanderId },
      after: { commanderId },
    });
    return updated;
  });
}

/** A person's note, filed under the procedure step they chose. */
export async function addIncidentNote(
  person: CurrentUser,
  input: { incidentId: string; text: string; step?: IncidentStep },
) {
  assertMayManage(person, "add a note to an incident");
  const step = input.step ?? "COMMUNICATE";
  return db.$transaction(async (tx) => {
    await lockIncident(tx, input.incidentId);
    const entry = await addTimelineEntry(tx, {
      incidentId: input.incidentId,
      kind: "NOTE",
      step,
      message: input.text,
      actorId: person.id,
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.note",
      targetType: "incident",
      targetId: input.incidentId,
      after: { step, entryId: entry.id.toString() },
    });
    return entry;
  });
}

/** Links a run to the incident as its cause or as (part of) its remedy. */
export async function linkIncidentRun(
  person: CurrentUser,
  input: { incidentId: string; runId: string; relation: "cause" | "remedy" },
) {
  assertMayManage(person, "link a run to an incident");
  return db.$transaction(async (tx) => {
    const incident = await lockIncident(tx, input.incidentId);
    const run = await tx.deploymentRun.findUnique({
      where: { id: input.runId },
      select: { id: true, kind: true, toImage: true, serviceId: true, status: true },
    });
    if (!run) throw new AppError("NOT_FOUND", "That run does not exist.");
    if (incident.serviceId && run.serviceId !== incident.serviceId)
      throw new AppError("INVALID", "That run is of another service than the incident's.");
    const linked = await linkRun(tx, { ...input, linkedById: person.id });
    if (!linked) throw new AppError("CONFLICT", "That run is already linked to this incident.");
    await addTimelineEntry(tx, {
      incidentId: input.incidentId,
      kind: "LINK",
      message: `${person.name} linked the ${humanize(run.kind)} of ${run.toImage ?? "the previous version"} (${humanize(run.status)}) as ${input.relation === "cause" ? "the suspected cause" : "a remedy"}`,
      actorId: person.id,
      runId: run.id,
      data: { relation: input.relation },
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.link_run",
      targetType: "incident",
      targetId: input.incidentId,
      after: { runId: run.id, relation: input.relation },
    });
    return run;
  });
}

/**
 * Resolves the incident with a summary of what happened. Restored now if nobody said so earlier,
 * and acknowledged now if nobody had: resolving is the strongest acknowledgement.
 */
export async function resolveIncident(person: CurrentUser, input: { incidentId: string; resolution: string }) {
  assertMayManage(person, "resolve an incident");
  const resolution = input.resolution.trim();
  if (resolution.length < RESOLUTION_MIN_LENGTH)
    throw new AppError(
      "INVALID",
      `Write what happened and how it ended (at least ${RESOLUTION_MIN_LENGTH} characters).`,
      {
        resolution: [`Needs at least ${RESOLUTION_MIN_LENGTH} characters.`],
      },
    );
  return db.$transaction(async (tx) => {
    const incident = await lockIncident(tx, input.incidentId);
    if (incident.status === "RESOLVED")
      throw new AppError(
        "CONFLICT",
        `${await personName(tx, incident.resolvedById)} already resolved this incident${incident.resolvedAt ? ` at ${utc(incident.resolvedAt)}` : ""}.`,
      );
    const now = new Date();
    const updated = await tx.incident.update({
      where: { id: incident.id },
      data: {
        status: "RESOLVED",
        resolution,
        resolvedAt: now,
        resolvedById: person.id,
        restoredAt: incident.restoredAt ?? now,
        ...(incident.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedById: person.id }),
        ...(incident.commanderId ? {} : { commanderId: person.id }),
      },
    });
    if (!incident.acknowledgedAt)
      await addTimelineEntry(tx, {
        incidentId: incident.id,
        kind: "ACKNOWLEDGE",
        message: `${person.name} acknowledged it by resolving it, after ${formatDuration(now.getTime() - incident.openedAt.getTime())}`,
        actorId: person.id,
        data: { elapsedMs: now.getTime() - incident.openedAt.getTime() },
        at: now,
      });
    await addTimelineEntry(tx, {
      incidentId: incident.id,
      kind: "STATUS_CHANGE",
      message: `${person.name} resolved the incident: ${resolution}`,
      actorId: person.id,
      data: { from: incident.status, to: "RESOLVED", resolution },
      at: now,
    });
    await recordAudit(tx, actorOf(person), {
      action: "incident.resolve",
      targetType: "incident",
      targetId: incident.id,
      before: { status: incident.status },
      after: { status: "RESOLVED", resolution, restoredAt: updated.restoredAt },
    });
    return updated;
  });
}

/** The problem is back: the incident is investigated again, and time to restore runs again. */
export async function reopenIncident(person: CurrentUser, incidentId: string) {
  assertMayManage(person, "reopen an incident");
  return db.$transaction(async (tx) => {
    const incident = await lockIncident(tx, incidentId);
    if (incident.status !== "RESOLVED") throw new AppError("CONFLICT", "The incident is still open.");
    return reopenLocked(tx, person, incident);
  });
}

async function reopenLocked(
  tx: DbTx,
  person: CurrentUser,
  incident: {
    id: string;
    status: IncidentStatus;
    resolution: string | null;
    resolvedAt: Date | null;
    restoredAt: Date | null;
  },
) {
  const updated = await tx.incident.update({
    where: { id: incident.id },
    data: { status: "INVESTIGATING", resolvedAt: null, resolvedById: null, resolution: null, restoredAt: null },
  });
  await addTimelineEntry(tx, {
    incidentId: incident.id,
    kind: "STATUS_CHANGE",
    step: "ASSESS",
    message: `${person.name} reopened the incident`,
    actorId: person.id,
    data: {
      from: "RESOLVED",
      to: "INVESTIGATING",
      previousResolution: incident.resolution,
      previousResolvedAt: incident.resolvedAt?.toISOString() ?? null,
      previousRestoredAt: incident.restoredAt?.toISOString() ?? null,
    },
  });
  await recordAudit(tx, actorOf(person), {
    action: "incident.reopen",
    targetType: "incident",
    targetId: incident.id,
    before: { status: "RESOLVED", resolution: incident.resolution },
    after: { status: "INVESTIGATING" },
  });
  return updated;
}
