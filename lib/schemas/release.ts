import { z } from "zod";
import { parseImageReference } from "@/lib/releases/image-reference";
import { httpUrl, id, plainText, revisionNumber } from "@/lib/schemas/common";

export const STRATEGIES = ["ROLLING", "BLUE_GREEN", "CANARY"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const STRATEGY_LABELS: Record<StrategyName, string> = {
  ROLLING: "Rolling",
  BLUE_GREEN: "Blue-green",
  CANARY: "Canary",
};

export const RELEASE_STATUSES = [
  "PENDING",
  "APPROVED",
  "DEPLOYING",
  "DEPLOYED",
  "FAILED",
  "ROLLED_BACK",
  "CANCELLED",
] as const;

export const imageReference = z
  .string({ error: "Image reference is required." })
  .trim()
  .max(512, "Image reference can be at most 512 characters.")
  .superRefine((value, ctx) => {
    const parsed = parseImageReference(value);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.reason });
  });

export const releaseLink = z.object({
  label: plainText({ label: "Link label", min: 1, max: 80 }),
  url: httpUrl,
});

export type ReleaseLink = z.infer<typeof releaseLink>;

const releaseFields = {
  imageRef: imageReference,
  strategy: z.enum(STRATEGIES, { error: "Choose a strategy: rolling, blue-green or canary." }),
  changeSummary: plainText({ label: "Change summary", min: 10, max: 5000, multiline: true }),
  links: z.array(releaseLink).max(10, "At most 10 links.").default([]),
};

export const createReleaseSchema = z.object({
  serviceId: id,
  environmentId: id,
  ...releaseFields,
});
export type CreateReleaseInput = z.infer<typeof createReleaseSchema>;

export const updateReleaseSchema = z.object({
  releaseId: id,
  // The revision the editor saw, so two people editing at once cannot overwrite each other.
  expectedRevision: revisionNumber,
  ...releaseFields,
});
export type UpdateReleaseInput = z.infer<typeof updateReleaseSchema>;

export const releaseFilterSchema = z.object({
  service: z.string().trim().max(64).optional().catch(undefined),
  environment: z.string().trim().max(64).optional().catch(undefined),
  status: z.enum(RELEASE_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});
export type ReleaseFilter = z.infer<typeof releaseFilterSchema>;
