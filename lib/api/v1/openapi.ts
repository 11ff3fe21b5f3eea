import { z } from "zod";
import { createDocument } from "zod-openapi";
import {
  apiCreateReleaseSchema,
  apiRollbackSchema,
  gateAnswer,
  pathId,
  problemSchema,
  releaseAnswer,
  runAnswer,
  runStarted,
  serviceAnswer,
} from "@/lib/schemas/api-v1";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: problemSchema } },
});

/** The refusals every route can answer with. */
const refusals = {
  "401": problem("No token, or one that is unknown, expired, revoked, or whose owner is disabled."),
  "403": problem("The token's scopes or its owner's roles do not allow this, or not in this environment."),
  "404": problem("Nothing by that id."),
  "429": {
    ...problem("Too many requests from this token; wait for Retry-After seconds."),
    headers: z.object({ "retry-after": z.string().meta({ description: "Seconds to wait." }) }),
  },
} as const;

const json = (schema: z.ZodType) => ({ "application/json": { schema } });

/**
 * The OpenAPI 3.1 description of /api/v1, built from the zod schemas the routes parse with (the
 * server actions' own, lib/schemas/api-v1.ts). tests/integration/api-v1.test.ts validates it and
 * checks that every route file under app/api/v1 is in it.
 */
export function openApiDocument(serverUrl?: string) {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Greenlight API",
      version: "1.0.0",
      description:
        "Release control for CI pipelines: create a release, read its gate, deploy it, follow the run, roll back. " +
        "Authenticate with an API token (`Authorization: Bearer glt_…`), made on the Tokens page. " +
        "Errors are RFC 9457 problem details.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A Greenlight API token (glt_…)." },
      },
    },
    paths: {
      "/api/v1/releases": {
        post: {
          operationId: "createRelease",
          summary: "Create a release (needs release:create)",
          requestBody: { required: true, content: json(apiCreateReleaseSchema) },
          responses: {
            "201": { description: "The release, pending its gate.", content: json(releaseAnswer) },
            "415": problem("The body is not JSON."),
            "422": problem("The input is not valid; `errors` says where."),
            ...refusals,
          },
        },
      },
      "/api/v1/releases/{id}": {
        get: {
          operationId: "getRelease",
          summary: "Read a release",
          requestParams: { path: pathId },
          responses: { "200": { description: "The release.", content: json(releaseAnswer) }, ...refusals },
        },
      },
      "/api/v1/releases/{id}/gate": {
        get: {
          operationId: "getReleaseGate",
          summary: "What the release still needs before it may be deployed",
          requestParams: { path: pathId },
          responses: { "200": { description: "The gate.", content: json(gateAnswer) }, ...refusals },
        },
      },
      "/api/v1/releases/{id}/deploy": {
        post: {
          operationId: "deployRelease",
          summary: "Start a deploy of an approved release (needs release:deploy)",
          requestParams: { path: pathId },
          responses: {
            "202": { description: "The run, queued.", content: json(runStarted) },
            "409": problem("The gate is not green, or another run holds the target."),
            ...refusals,
          },
        },
      },
      "/api/v1/services/{id}": {
        get: {
          operationId: "getService",
          summary: "A service's live state in each environment",
          requestParams: { path: pathId },
          responses: { "200": { description: "The service.", content: json(serviceAnswer) }, ...refusals },
        },
      },
      "/api/v1/services/{id}/rollback": {
        post: {
          operationId: "rollbackService",
          summary: "Roll a service back in one environment, with a reason (needs service:rollback)",
          requestParams: { path: pathId },
          requestBody: { required: true, content: json(apiRollbackSchema) },
          responses: {
            "202": { description: "The run, queued.", content: json(runStarted) },
            "409": problem("There is no good version to go back to, or another run holds the target."),
            "422": problem("The input is not valid; `errors` says where."),
            ...refusals,
          },
        },
      },
      "/api/v1/runs/{id}": {
        get: {
          operationId: "getRun",
          summary: "A run's status and events",
          requestParams: { path: pathId },
          responses: { "200": { description: "The run.", content: json(runAnswer) }, ...refusals },
        },
      },
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApi",
          summary: "This document",
          security: [],
          responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": {} } } },
        },
      },
    },
  });
}
