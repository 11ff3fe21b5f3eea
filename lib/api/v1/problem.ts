import type { AppErrorCode } from "@/lib/errors";

/**
 * RFC 9457 problem details: every /api/v1 refusal or failure answers in this one shape, as
 * application/problem+json, so a pipeline needs one parser and can print `detail` as it is.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: Record<string, string[]>;
}

export type ProblemKind = AppErrorCode | "BAD_REQUEST" | "UNSUPPORTED_MEDIA_TYPE" | "RATE_LIMITED";

const KINDS: Record<ProblemKind, { status: number; title: string; slug: string }> = {
  UNAUTHENTICATED: { status: 401, title: "Unauthorized", slug: "unauthenticated" },
  FORBIDDEN: { status: 403, title: "Forbidden", slug: "forbidden" },
  NOT_FOUND: { status: 404, title: "Not Found", slug: "not-found" },
  CONFLICT: { status: 409, title: "Conflict", slug: "conflict" },
  INVALID: { status: 422, title: "Unprocessable Content", slug: "invalid" },
  BAD_REQUEST: { status: 400, title: "Bad Request", slug: "bad-request" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported Media Type", slug: "unsupported-media-type" },
  RATE_LIMITED: { status: 429, title: "Too Many Requests", slug: "rate-limited" },
  CLUSTER_UNAVAILABLE: { status: 503, title: "Service Unavailable", slug: "cluster-unavailable" },
  METRICS_UNAVAILABLE: { status: 503, title: "Service Unavailable", slug: "metrics-unavailable" },
  INTERNAL: { status: 500, title: "Internal Server Error", slug: "internal" },
};

/** The HTTP status an AppError code (lib/errors.ts) answers with. */
export function statusOf(kind: ProblemKind): number {
  return KINDS[kind].status;
}

export function problemDetails(
  kind: ProblemKind,
  detail: string,
  instance: string,
  errors?: Record<string, string[]>,
): ProblemDetails {
  const { status, title, slug } = KINDS[kind];
  return { type: `urn:greenlight:problem:${slug}`, title, status, detail, instance, ...(errors ? { errors } : {}) };
}

export function problemResponse(problem: ProblemDetails, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}
