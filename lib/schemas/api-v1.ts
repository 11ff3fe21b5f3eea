import { z } from "zod";
import { id } from "@/lib/schemas/common";
import { createReleaseSchema, STRATEGIES } from "@/lib/schemas/release";
import { rollbackSchema } from "@/lib/schemas/runs";

/*
 * The /api/v1 request bodies, built from the server actions' own schemas (createReleaseSchema,
 * rollbackSchema): the same field rules and messages, plus what a pipeline has in hand instead
 * of database ids (a service's and an environment's name) and the commit it built. The resolved
 * input is parsed by the action's schema again before it reaches lib/.
 */

/** A service's or an environment's name: its URL slug. */
export const slug = z
  .string({ error: "Give a name." })
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "Names are lower-case letters, digits and dashes (at most 64).");

export const commitSha = z
  .string({ error: "The commit must be text." })
  .trim()
  .regex(/^[0-9a-f]{7,64}$/i, "The commit must be a hexadecimal Git commit id (7 to 64 characters).");

const release = createReleaseSchema.shape;

export const apiCreateReleaseSchema = z
  .object({
    serviceId: id.optional().meta({ description: "The service's id; or give `service`." }),
    service: slug.optional().meta({ description: "The service's name, e.g. checkout." }),
    environmentId: id.optional().meta({ description: "The environment's id; or give `environment`." }),
    environment: slug.optional().meta({ description: "The environment's name, e.g. staging." }),
    imageRef: release.imageRef.meta({ description: "The image to deploy, e.g. ghcr.io/acme/checkout:1.4.2." }),
    commitSha: commitSha.optional().meta({ description: "The commit the image was built from." }),
    strategy: z
      .enum(STRATEGIES, { error: "Choose a strategy: rolling, blue-green or canary." })
      .optional()
      .meta({ description: "Defaults to the target's strategy." }),
    changeSummary: release.changeSummary
      .optional()
      .meta({ description: "What changes; defaults to a sentence naming the commit." }),
    links: release.links,
  })
  .superRefine((value, ctx) => {
    if (!value.serviceId === !value.service)
      ctx.addIssue({ code: "custom", path: ["service"], message: "Give the service: `service` or `serviceId`." });
    if (!value.environmentId === !value.environment)
      ctx.addIssue({
        code: "custom",
        path: ["environment"],
        message: "Give the environment: `environment` or `environmentId`.",
      });
    if (!value.changeSummary && !value.commitSha)
      ctx.addIssue({
        code: "custom",
        path: ["changeSummary"],
        message: "Give a change summary, or the commit it was built from.",
      });
  })
  .meta({ id: "CreateRelease" });
export type ApiCreateReleaseInput = z.infer<typeof apiCreateReleaseSchema>;

export const apiRollbackSchema = z
  .object({
    environmentId: rollbackSchema.shape.environmentId.optional(),
    environment: slug.optional().meta({ description: "The environment's name; or give `environmentId`." }),
    reason: rollbackSchema.shape.reason.meta({ description: "Why, for the record and the incident timeline." }),
  })
  .superRefine((value, ctx) => {
    if (!value.environmentId === !value.environment)
      ctx.addIssue({
        code: "custom",
        path: ["environment"],
        message: "Give the environment: `environment` or `environmentId`.",
      });
  })
  .meta({ id: "Rollback" });
export type ApiRollbackInput = z.infer<typeof apiRollbackSchema>;

/** A path segment naming a release, run or service: an id (or, for a service, its name). */
export const pathId = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/i, "Not an id.")
    .meta({ description: "An id (for a service, its name also works)." }),
});

// ----- answers (for the OpenAPI document; the routes build them from lib/ reads) -----

export const problemSchema = z
  .object({
    type: z.string().meta({ description: "A URI naming the kind of problem." }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: "A sentence for people: what went wrong and what to do." }),
    instance: z.string().meta({ description: "The path that was asked for." }),
    errors: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Messages per field." }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });

export const releaseAnswer = z
  .object({
    id: z.string(),
    number: z.number().int(),
    status: z.string(),
    revision: z.number().int(),
    service: z.object({ id: z.string(), name: z.string() }),
    environment: z.object({ id: z.string(), name: z.string() }),
    imageRef: z.string(),
    strategy: z.enum(STRATEGIES),
    changeSummary: z.string(),
    links: z.array(z.object({ label: z.string(), url: z.string() })),
    createdAt: z.string(),
    latestRun: z.object({ id: z.string(), status: z.string() }).nullable(),
  })
  .meta({ id: "Release" });

export const gateAnswer = z
  .object({
    releaseId: z.string(),
    revision: z.number().int(),
    green: z.boolean(),
    unmet: z.array(z.object({ kind: z.string(), message: z.string(), role: z.string().optional() })),
    warnings: z.array(z.string()),
  })
  .meta({ id: "Gate", description: "What the release still needs before it may be deployed." });

export const runStarted = z.object({ id: z.string(), status: z.string() }).meta({ id: "RunStarted" });

export const runAnswer = z
  .object({
    id: z.string(),
    kind: z.string(),
    status: z.string(),
    strategy: z.string(),
    outcome: z.string().nullable(),
    fromImage: z.string().nullable(),
    toImage: z.string().nullable(),
    currentStep: z.string().nullable(),
    service: z.string(),
    environment: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    events: z.array(
      z.object({ seq: z.number().int(), step: z.string().nullable(), phase: z.string(), message: z.string() }),
    ),
  })
  .meta({ id: "Run" });

export const serviceAnswer = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    environments: z.array(
      z.object({
        environment: z.object({ id: z.string(), name: z.string() }),
        cluster: z.string(),
        namespace: z.string(),
        strategy: z.string(),
        live: z.object({
          image: z.string().optional(),
          replicas: z.object({ ready: z.number().int(), desired: z.number().int() }),
          detail: z.string(),
          error: z.string().optional(),
        }),
        activeRun: z.object({ id: z.string(), kind: z.string(), status: z.string() }).nullable(),
      }),
    ),
  })
  .meta({ id: "Service", description: "What runs in each environment now, read from the clusters." });
