import { z } from "zod";
import { GATE_OVERRIDE_KINDS } from "@/lib/approvals/override-kinds";
import { APPROVER_ROLES } from "@/lib/roles";
import { httpUrl, id, plainText, revisionNumber } from "@/lib/schemas/common";

export const signSchema = z.object({
  releaseId: id,
  revision: revisionNumber,
  role: z.enum(APPROVER_ROLES, { error: "Choose one of the six approver roles." }),
  decision: z.enum(["APPROVED", "REJECTED"]),
  comment: plainText({ label: "Comment", max: 2000 }).default(""),
});

export const withdrawSchema = z.object({ releaseId: id, approvalId: id });

export const tickSchema = z.object({
  releaseId: id,
  itemId: id,
  revision: revisionNumber,
  checked: z.boolean(),
  evidenceUrl: z.union([httpUrl, z.literal("")]).optional(),
});

export const overrideSchema = z.object({
  releaseId: id,
  revision: revisionNumber,
  kind: z.enum(GATE_OVERRIDE_KINDS, { error: "Only a freeze or a spent error budget can be overridden." }),
  reason: plainText({ label: "Reason", min: 10, max: 1000, multiline: true }),
});
