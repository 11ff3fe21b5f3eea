import { z } from "zod";
import { id, plainText } from "@/lib/schemas/common";

export const releaseIdSchema = z.object({ releaseId: id });

export const rollbackSchema = z.object({
  serviceId: id,
  environmentId: id,
  reason: plainText({ label: "Reason", min: 3, max: 500, multiline: true }),
});

export const canaryControlSchema = z.object({ runId: id });
