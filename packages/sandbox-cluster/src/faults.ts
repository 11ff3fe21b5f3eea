/**
 * Fault injection for tests: a share of API requests fails (500/503), is slowed down, or
 * (writes only) answers 409 Conflict, optionally restricted to paths matching a RegExp.
 * Only Kubernetes API paths are affected, never the /sandbox admin endpoints.
 */
import { ApiError } from "./status";

export interface FaultConfig {
  /** Share (0..1) of matching requests answered with a 500 or 503 Status. */
  errorRate?: number;
  /** Delay added to every matching request. */
  latencyMs?: number;
  /** Share (0..1) of matching writes (POST, PUT, PATCH, DELETE) answered with 409 Conflict. */
  conflictRate?: number;
  /** Only requests whose path (without query) matches are affected. */
  paths?: RegExp;
}

/** The JSON shape of POST /sandbox/faults: `paths` is a RegExp source string. */
export interface FaultConfigJson {
  errorRate?: number;
  latencyMs?: number;
  conflictRate?: number;
  paths?: string;
}

export interface FaultDecision {
  delayMs: number;
  error?: ApiError;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function rate(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    throw new ApiError(400, "BadRequest", `${name} must be a number between 0 and 1`);
  return value;
}

export class Faults {
  private config: FaultConfig = {};
  /** Counts of injected faults, for tests that want to know a fault really fired. */
  readonly injected = { errors: 0, conflicts: 0, delayed: 0 };

  set(config: FaultConfig): void {
    this.config = { ...config };
  }

  clear(): void {
    this.config = {};
  }

  get(): FaultConfig {
    return { ...this.config };
  }

  toJson(): FaultConfigJson {
    const { paths, ...rest } = this.config;
    return { ...rest, ...(paths ? { paths: paths.source } : {}) };
  }

  setFromJson(body: unknown): void {
    const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const latency = input.latencyMs;
    if (latency !== undefined && (typeof latency !== "number" || latency < 0 || latency > 60_000)) {
      throw new ApiError(400, "BadRequest", "latencyMs must be a number between 0 and 60000");
    }
    let paths: RegExp | undefined;
    if (input.paths !== undefined && input.paths !== null) {
      if (typeof input.paths !== "string")
        throw new ApiError(400, "BadRequest", "paths must be a RegExp source string");
      try {
        paths = new RegExp(input.paths);
      } catch {
        throw new ApiError(400, "BadRequest", `paths is not a valid RegExp: ${input.paths}`);
      }
    }
    this.set({
      errorRate: rate(input.errorRate, "errorRate"),
      conflictRate: rate(input.conflictRate, "conflictRate"),
      latencyMs: latency as number | undefined,
      paths,
    });
  }

  decide(
    method: string,
    path: string,
    resourceName: { resource: string; group: string; name: string } | undefined,
  ): FaultDecision {
    const { errorRate = 0, latencyMs = 0, conflictRate = 0, paths } = this.config;
    if (paths && !paths.test(path)) return { delayMs: 0 };
    const decision: FaultDecision = { delayMs: latencyMs };
    if (latencyMs > 0) this.injected.delayed++;
    if (errorRate > 0 && Math.random() < errorRate) {
      this.injected.errors++;
      decision.error =
        Math.random() < 0.5
          ? new ApiError(500, "InternalError", "Internal error occurred: injected fault (sandbox)", {
              causes: [{ reason: "", message: "injected fault (sandbox)" }],
            })
          : new ApiError(
              503,
              "ServiceUnavailable",
              "the server is currently unable to handle the request (injected fault)",
            );
      return decision;
    }
    if (conflictRate > 0 && WRITE_METHODS.has(method) && Math.random() < conflictRate) {
      this.injected.conflicts++;
      const r = resourceName ?? { resource: "objects", group: "", name: "" };
      const qualified = r.group ? `${r.resource}.${r.group}` : r.resource;
      decision.error = new ApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: r.name, group: r.group, kind: r.resource },
      );
    }
    return decision;
  }
}
