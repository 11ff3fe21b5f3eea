import { z } from "zod";
import { id, plainText } from "@/lib/schemas/common";
import { RESOLUTION_MIN_LENGTH } from "@/lib/incidents/rules";

export const SEVERITIES = ["P1", "P2", "P3", "P4"] as const;
export const SEVERITY_LABELS: Record<(typeof SEVERITIES)[number], string> = {
  P1: "P1 · service down",
  P2: "P2 · degraded",
  P3: "P3 · limited impact",
  P4: "P4 · minor",
};
/** The statuses a person moves an open incident between; resolving and reopening have their own controls. */
export const OPEN_STATUSES = ["INVESTIGATING", "IDENTIFIED", "MONITORING"] as const;
export const STEPS = [
  "DETECT",
  "ACKNOWLEDGE",
  "ASSESS",
  "COMMUNICATE",
  "REMEDIATE",
  "VERIFY",
  "DOCUMENT",
  "REVIEW",
] as const;

const optionalId = z.union([id, z.literal("")]).optional();

export const openIncidentSchema = z.object({
  title: plainText({ label: "Title", min: 3, max: 200 }),
  severity: z.enum(SEVERITIES, { error: "Choose a severity from P1 to P4." }),
  summary: plainText({ label: "Summary", max: 4000, multiline: true }).default(""),
  serviceId: optionalId,
  environmentId: optionalId,
  releaseId: optionalId,
  linkLastDeploy: z.boolean().default(false),
});

export const incidentIdSchema = z.object({ incidentId: id });

export const statusSchema = z.object({
  incidentId: id,
  status: z.enum(OPEN_STATUSES, { error: "Choose investigating, identified or monitoring." }),
});

export const severitySchema = z.object({
  incidentId: id,
  severity: z.enum(SEVERITIES, { error: "Choose a severity from P1 to P4." }),
});

export const commanderSchema = z.object({
  incidentId: id,
  commanderId: z.string().trim().min(1, "Choose a person.").pipe(id),
});

export const noteSchema = z.object({
  incidentId: id,
  text: plainText({ label: "Note", min: 1, max: 4000, multiline: true }),
  step: z.enum(STEPS).default("COMMUNICATE"),
});

export const linkRunSchema = z.object({
  incidentId: id,
  runId: id,
  relation: z.enum(["cause", "remedy"]),
});

export const resolveSchema = z.object({
  incidentId: id,
  resolution: plainText({ label: "Resolution summary", min: RESOLUTION_MIN_LENGTH, max: 4000, multiline: true }),
});

export const postmortemSchema = z.object({
  incidentId: id,
  impact: plainText({ label: "Impact", max: 8000, multiline: true }),
  rootCause: plainText({ label: "Root cause", max: 8000, multiline: true }),
  wentWell: plainText({ label: "What went well", max: 8000, multiline: true }),
});

export const actionItemSchema = z.object({
  incidentId: id,
  title: plainText({ label: "Action item", min: 3, max: 300 }),
  ownerId: z.string().trim().min(1, "Choose an owner.").pipe(id),
  dueAt: z.union([z.literal(""), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date as YYYY-MM-DD.")]).optional(),
});

export const completeActionItemSchema = z.object({ incidentId: id, itemId: id });

/** The list's filters, as they are in the URL. */
export const incidentFiltersSchema = z.object({
  status: z.enum(["open", "resolved", "all"]).catch("open").default("open"),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  cursor: z
    .string()
    .regex(/^[a-z0-9]+$/i)
    .max(64)
    .optional()
    .catch(undefined),
});

export type IncidentFilters = z.infer<typeof incidentFiltersSchema>;
