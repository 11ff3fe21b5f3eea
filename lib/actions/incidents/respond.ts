"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import {
  acknowledgeIncident,
  addIncidentNote,
  changeIncidentSeverity,
  changeIncidentStatus,
  linkIncidentRun,
  reopenIncident,
  resolveIncident,
  setIncidentCommander,
} from "@/lib/incidents/respond";
import {
  commanderSchema,
  incidentIdSchema,
  linkRunSchema,
  noteSchema,
  resolveSchema,
  severitySchema,
  statusSchema,
} from "@/lib/schemas/incidents";

/** The incident's page, the list and the overview's open count all show what changed. */
function revalidate(incidentId: string) {
  revalidatePath(`/incidents/${incidentId}`);
  revalidatePath("/incidents");
  revalidatePath("/");
}

const acknowledge = authorizedAction(
  {
    name: "incident.acknowledge",
    schema: incidentIdSchema,
    permission: "incident:manage",
    verb: "acknowledge an incident",
  },
  async ({ incidentId }, user) => {
    const incident = await acknowledgeIncident(user, incidentId);
    revalidate(incidentId);
    return { acknowledgedAt: incident.acknowledgedAt?.toISOString() ?? null };
  },
);

const status = authorizedAction(
  { name: "incident.status", schema: statusSchema, permission: "incident:manage", verb: "change an incident's status" },
  async (input, user) => {
    const incident = await changeIncidentStatus(user, input.incidentId, input.status);
    revalidate(input.incidentId);
    return { status: incident.status };
  },
);

const severity = authorizedAction(
  {
    name: "incident.severity",
    schema: severitySchema,
    permission: "incident:manage",
    verb: "change an incident's severity",
  },
  async (input, user) => {
    const incident = await changeIncidentSeverity(user, input.incidentId, input.severity);
    revalidate(input.incidentId);
    return { severity: incident.severity };
  },
);

const commander = authorizedAction(
  {
    name: "incident.commander",
    schema: commanderSchema,
    permission: "incident:manage",
    verb: "change an incident's commander",
  },
  async (input, user) => {
    await setIncidentCommander(user, input.incidentId, input.commanderId);
    revalidate(input.incidentId);
    return { commanderId: input.commanderId };
  },
);

const note = authorizedAction(
  { name: "incident.note", schema: noteSchema, permission: "incident:manage", verb: "add a note to an incident" },
  async (input, user) => {
    await addIncidentNote(user, input);
    revalidate(input.incidentId);
    return { step: input.step };
  },
);

const link = authorizedAction(
  {
    name: "incident.link_run",
    schema: linkRunSchema,
    permission: "incident:manage",
    verb: "link a run to an incident",
  },
  async (input, user) => {
    await linkIncidentRun(user, input);
    revalidate(input.incidentId);
    revalidatePath(`/deployments/${input.runId}`);
    return { runId: input.runId };
  },
);

const resolve = authorizedAction(
  { name: "incident.resolve", schema: resolveSchema, permission: "incident:manage", verb: "resolve an incident" },
  async (input, user) => {
    await resolveIncident(user, input);
    revalidate(input.incidentId);
    return { resolved: true };
  },
);

const reopen = authorizedAction(
  { name: "incident.reopen", schema: incidentIdSchema, permission: "incident:manage", verb: "reopen an incident" },
  async ({ incidentId }, user) => {
    await reopenIncident(user, incidentId);
    revalidate(incidentId);
    return { reopened: true };
  },
);

export async function acknowledgeIncidentAction(input: z.input<typeof incidentIdSchema>) {
  return acknowledge(input);
}
export async function changeIncidentStatusAction(input: z.input<typeof statusSchema>) {
  return status(input);
}
export async function changeIncidentSeverityAction(input: z.input<typeof severitySchema>) {
  return severity(input);
}
export async function setIncidentCommanderAction(input: z.input<typeof commanderSchema>) {
  return commander(input);
}
export async function addIncidentNoteAction(input: z.input<typeof noteSchema>) {
  return note(input);
}
export async function linkIncidentRunAction(input: z.input<typeof linkRunSchema>) {
  return link(input);
}
export async function resolveIncidentAction(input: z.input<typeof resolveSchema>) {
  return resolve(input);
}
export async function reopenIncidentAction(input: z.input<typeof incidentIdSchema>) {
  return reopen(input);
}
