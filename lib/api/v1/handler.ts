import "server-only";
import type { z } from "zod";
import { invalidInput } from "@/lib/actions/field-errors";
import { BROKEN_TEXT_MESSAGE, brokenTextPath, issueMessage } from "@/lib/actions/input-messages";
import { apiRateLimiter } from "@/lib/api-tokens/rate-limit";
import { authenticateToken, recordTokenUse, type TokenCaller } from "@/lib/api-tokens/store";
import { environmentAllowed } from "@/lib/api-tokens/token";
import { problemDetails, problemResponse, type ProblemKind } from "@/lib/api/v1/problem";
import { db } from "@/lib/db";
import { AppError, GENERIC_ERROR_MESSAGE } from "@/lib/errors";
import { log } from "@/lib/log";
import { can, forbiddenMessage, type Permission } from "@/lib/rbac";

/** Request bodies are small JSON objects; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ApiContext {
  caller: TokenCaller;
  request: Request;
  params: Record<string, string>;
  /** Refuses (403) unless the token may act on this environment. */
  requireEnvironment(environmentId: string): Promise<void>;
  /** The JSON body parsed by `schema`, or a 400/415/422 problem. */
  body<S extends z.ZodType>(schema: S): Promise<z.infer<S>>;
}

export interface ApiAnswer {
  status?: number;
  body: unknown;
  /** What the request was about, for the audit entry. */
  target?: { type: string; id: string };
}

/** A refusal with its problem kind, thrown inside a handler. */
export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

type RouteContext = { params: Promise<Record<string, string>> };

/**
 * An /api/v1 route: the bearer token (lib/api-tokens) → the token's rate limit → the same
 * permission the server action asks (`can()`, with the token's scopes ∩ its owner's live roles)
 * → the handler, which calls the same lib/ functions as the server actions. Refusals answer in
 * RFC 9457 problem details and write nothing but the rate-limit count; each answered request is
 * audited with its token.
 */
export function apiRoute(
  definition: { permission: Permission; verb: string },
  handler: (context: ApiContext) => Promise<ApiAnswer>,
) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const url = new URL(request.url);
    const instance = url.pathname;
    const problem = (kind: ProblemKind, detail: string, errors?: Record<string, string[]>, headers = {}) =>
      problemResponse(problemDetails(kind, detail, instance, errors), headers);

    const auth = await authenticateToken(request.headers.get("authorization"));
    if (!auth.ok) {
      log.warn({ path: instance, reason: auth.reason }, "api: token refused");
      return problem("UNAUTHENTICATED", auth.reason, undefined, {
        "www-authenticate": 'Bearer realm="greenlight"',
      });
    }
    const caller = auth.caller;
    const limit = await apiRateLimiter().attempt(caller.token.id);
    if (!limit.allowed) {
      return problem(
        "RATE_LIMITED",
        `This API token made too many requests; try again in ${limit.retryAfterSeconds} s.`,
        undefined,
        { "retry-after": String(limit.retryAfterSeconds) },
      );
    }
    if (!can(caller, definition.permission)) {
      log.warn({ path: instance, token: caller.token.id, permission: definition.permission }, "api: permission");
      // Say which of the two is missing: a token's scope can be changed by making a new token.
      const detail = can({ roles: caller.roles }, definition.permission)
        ? `This API token may not ${definition.verb}: it lacks the ${definition.permission} scope.`
        : forbiddenMessage(definition.permission, definition.verb);
      return problem("FORBIDDEN", detail);
    }

    const apiContext: ApiContext = {
      caller,
      request,
      params: await context.params,
      async requireEnvironment(environmentId) {
        if (environmentAllowed(caller.token.environmentIds, environmentId)) return;
        const names = await db.environment.findMany({
          where: { id: { in: caller.token.environmentIds } },
          select: { name: true },
          orderBy: { position: "asc" },
        });
        throw new ApiProblem(
          "FORBIDDEN",
          `This API token is limited to ${names.map((n) => n.name).join(", ") || "other environments"}.`,
        );
      },
      async body(schema) {
        const type = request.headers.get("content-type") ?? "";
        if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
          throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON (Content-Type: application/json).");
        const text = await request.text();
        if (text.length > MAX_BODY_BYTES) throw new ApiProblem("BAD_REQUEST", "The body is too large (64 KB at most).");
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          throw new ApiProblem("BAD_REQUEST", "The body is not valid JSON.");
        }
        if (typeof raw !== "object" || raw === null || Array.isArray(raw))
          throw new ApiProblem("BAD_REQUEST", "The body must be a JSON object.");
        const broken = brokenTextPath(raw);
        if (broken !== null)
          throw new ApiProblem("INVALID", BROKEN_TEXT_MESSAGE, { [broken || "_"]: [BROKEN_TEXT_MESSAGE] });
        const parsed = schema.safeParse(raw, { error: issueMessage });
        if (!parsed.success) {
          const invalid = invalidInput(parsed.error);
          throw new ApiProblem("INVALID", invalid.message, invalid.fieldErrors);
        }
        return parsed.data;
      },
    };

    try {
      const answer = await handler(apiContext);
      const status = answer.status ?? 200;
      await recordTokenUse(caller, { method: request.method, path: instance, status, target: answer.target });
      return Response.json(answer.body, { status, headers: { "cache-control": "no-store" } });
    } catch (error) {
      if (error instanceof ApiProblem) return problem(error.kind, error.message, error.errors);
      if (error instanceof AppError) return problem(error.code, error.message, error.fieldErrors);
      log.error({ err: error, path: instance, token: caller.token.id }, "api: request failed");
      return problem("INTERNAL", GENERIC_ERROR_MESSAGE);
    }
  };
}

/** A path parameter that must look like an id; anything else is a 404 (nothing by that name). */
export function idParam(context: ApiContext, what: string): string {
  const value = context.params.id ?? "";
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/i.test(value)) throw new ApiProblem("NOT_FOUND", `No such ${what}.`);
  return value;
}
