import { z } from "zod";
import { isValidTimeZone } from "@/lib/approvals/freeze";
import { id, plainText } from "@/lib/schemas/common";

export const environmentSettingsSchema = z.object({
  environmentId: id,
  requiresApproval: z.boolean(),
  authorMaySign: z.boolean(),
  approvalTtlHours: z
    .number()
    .int()
    .min(1, "At least 1 hour.")
    .max(24 * 90, "At most 90 days."),
  errorBudgetGate: z.boolean(),
});
export type EnvironmentSettingsInput = z.infer<typeof environmentSettingsSchema>;

export const checklistItemSchema = z.object({
  environmentId: id,
  label: plainText({ label: "Item", min: 3, max: 200 }),
  required: z.boolean().default(true),
  // The tick needs a link to its evidence (a test report, a ticket): lib/approvals/checklist.ts.
  evidenceRequired: z.boolean().default(false),
});

export const removeChecklistItemSchema = z.object({ itemId: id });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use 24-hour HH:mm, e.g. 22:00.");
const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), "Enter a date and time.")
  .transform((v) => new Date(v))
  // Date.parse takes years PostgreSQL cannot store (-100000); no freeze is that far away anyway.
  .refine((d) => d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 9999, "Enter a date between 2000 and 9999.");

export const freezeWindowSchema = z
  .object({
    environmentId: id,
    reason: plainText({ label: "Reason", min: 3, max: 300 }),
    recurrence: z.enum(["NONE", "DAILY", "WEEKLY"]),
    startsAt: instant,
    endsAt: instant.optional(),
    localStartTime: hhmm.optional(),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
    weekdays: z.array(z.number().int().min(0).max(6)).max(7).default([]),
    timeZone: z.string().refine(isValidTimeZone, "Not a time zone (use an IANA name such as Europe/Berlin)."),
  })
  .superRefine((v, ctx) => {
    if (v.recurrence === "NONE") {
      if (!v.endsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "A one-off freeze needs an end." });
      else if (v.endsAt <= v.startsAt)
        ctx.addIssue({ code: "custom", path: ["endsAt"], message: "The end must be after the start." });
    } else {
      if (!v.localStartTime)
        ctx.addIssue({ code: "custom", path: ["localStartTime"], message: "A recurring freeze needs a start time." });
      if (!v.durationMinutes)
        ctx.addIssue({ code: "custom", path: ["durationMinutes"], message: "A recurring freeze needs a length." });
      if (v.recurrence === "WEEKLY" && v.weekdays.length === 0)
        ctx.addIssue({ code: "custom", path: ["weekdays"], message: "Pick at least one weekday." });
    }
  });
export type FreezeWindowInput = z.infer<typeof freezeWindowSchema>;

export const removeFreezeSchema = z.object({ freezeId: id });
