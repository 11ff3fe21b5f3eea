export type AppErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID"
  | "CLUSTER_UNAVAILABLE"
  | "METRICS_UNAVAILABLE"
  | "INTERNAL";

/**
 * An error whose message is written for the person who caused it and is safe to show them.
 * Anything that is not an AppError is logged and replaced by a generic message.
 */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly fieldErrors?: Record<string, string[]>;

  constructor(code: AppErrorCode, message: string, fieldErrors?: Record<string, string[]>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

export const GENERIC_ERROR_MESSAGE = "Something went wrong on our side. It has been logged; please try again.";

export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "P2002"
  );
}
