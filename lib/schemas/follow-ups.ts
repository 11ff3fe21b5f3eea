import { z } from "zod";
import { isValidTimeZone } from "@/lib/approvals/freeze";
import { FOLLOW_UP_DUES } from "@/lib/follow-ups/due";
import { httpUrl, id, plainText } from "@/lib/schemas/common";

export const tickFollowUpSchema = z.object({
  itemId: id,
  evidenceUrl: z.union([httpUrl, z.literal("")]).optional(),
  note: plainText({ label: "Note", max: 1000, multiline: true }).default(""),
});
export type TickFollowUpInput = z.infer<typeof tickFollowUpSchema>;

export const followUpTemplateItemSchema = z.object({
  environmentId: id,
  label: plainText({ label: "Follow-up", min: 3, max: 200 }),
  due: z.enum(FOLLOW_UP_DUES, { error: "Choose when it comes due: first hour, 4 hours, first day or first week." }),
});

export const removeFollowUpTemplateItemSchema = z.object({ itemId: id });

export const followUpTimeZoneSchema = z.object({
  environmentId: id,
  timeZone: z.string().max(64).refine(isValidTimeZone, "Not a time zone (use an IANA name such as Europe/Berlin)."),
});
