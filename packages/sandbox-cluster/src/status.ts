/**
 * Kubernetes `Status` bodies, shaped like kube-apiserver's (k8s.io/apimachinery errors
 * package), because clients (client-node, kubectl) parse `reason`, `code` and `details`.
 */
import type { JsonObject } from "./types";

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(code: number, reason: string, message: string, details?: StatusDetails): JsonObject {
  const status: JsonObject = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details) status.details = stripUndefined(details);
  status.code = code;
  return status;
}

export function successStatus(details: StatusDetails): JsonObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: stripUndefined(details) };
}

function stripUndefined(details: StatusDetails): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined || value === "") continue;
    out[key] = value as JsonObject[string];
  }
  return out;
}

/** `deployments.apps` or `pods`: how the API server names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound(resource: string, group: string, name: string): ApiError {
    return new ApiError(404, "NotFound", `${qualifiedResource(resource, group)} "${name}" not found`, {
      name,
      group,
      kind: resource,
    });
  },
  alreadyExists(resource: string, group: string, name: string): ApiError {
    return new ApiError(409, "AlreadyExists", `${qualifiedResource(resource, group)} "${name}" already exists`, {
      name,
      group,
      kind: resource,
    });
  },
  conflict(resource: string, group: string, name: string): ApiError {
    return new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group, kind: resource },
    );
  },
  invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
    return new ApiError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name,
      group,
      kind,
      causes,
    });
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, "BadRequest", message);
  },
  unauthorized(): ApiError {
    return new ApiError(401, "Unauthorized", "Unauthorized");
  },
  methodNotAllowed(): ApiError {
    return new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  },
  unsupportedMediaType(): ApiError {
    return new ApiError(415, "UnsupportedMediaType", "415: Unsupported Media Type", {});
  },
  pathNotFound(): ApiError {
    return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  },
  /**
   * kube-apiserver 1.20 answers a JSON patch that does not apply (failed test, missing path)
   * with this generic 422, without saying which operation failed.
   */
  invalidJsonPatch(_detail: string): ApiError {
    return new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", {});
  },
  gone(message: string): ApiError {
    return new ApiError(410, "Expired", message);
  },
};
