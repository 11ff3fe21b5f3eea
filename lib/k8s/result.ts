/** What went wrong talking to a cluster, as a value the caller must look at. */
export type K8sErrorType =
  | "not_found"
  | "forbidden"
  | "unauthorized"
  | "conflict"
  | "invalid"
  | "unavailable"
  | "timeout";

export interface K8sError {
  type: K8sErrorType;
  status?: number;
  /** The cluster's own message (from its Status object), or the transport error. */
  message: string;
  reason?: string;
}

export type K8sResult<T> = { ok: true; value: T } | { ok: false; error: K8sError };

export function ok<T>(value: T): K8sResult<T> {
  return { ok: true, value };
}

export function err<T = never>(error: K8sError): K8sResult<T> {
  return { ok: false, error };
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  return typeof body === "object" && body !== null ? (body as StatusBody) : {};
}

/** Turns whatever client-node threw into a typed error. */
export function classify(error: unknown): K8sError {
  if (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof (error as { code: unknown }).code === "number"
  ) {
    const status = (error as { code: number }).code;
    const body = statusBody((error as { body?: unknown }).body);
    const message = body.message ?? (error instanceof Error ? error.message : `HTTP ${status}`);
    const type: K8sErrorType =
      status === 404
        ? "not_found"
        : status === 403
          ? "forbidden"
          : status === 401
            ? "unauthorized"
            : status === 409
              ? "conflict"
              : status === 422 || status === 400
                ? "invalid"
                : status === 408 || status === 504
                  ? "timeout"
                  : "unavailable";
    return { type, status, message, reason: body.reason };
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return { type: "timeout", message: "the cluster did not answer in time" };
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return { type: "unavailable", message: `${error instanceof Error ? error.message : String(error)}${cause}` };
}

export function describeK8sError(error: K8sError): string {
  return `${error.type}${error.status ? ` (${error.status})` : ""}: ${error.message}`;
}
