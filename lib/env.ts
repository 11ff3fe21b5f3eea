import { z } from "zod";
import { isLoopbackHost } from "@/lib/auth/loopback";

// Unset (or empty) stays undefined, so a rule can tell "not said" from "said no".
const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v === "true" || v === "1" || v === "yes"));

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\/.+/.test(v), "must be a postgresql:// URL");

/**
 * A whole number from `min` to `max`, or undefined when unset or empty. Number("abc") is NaN and
 * Number("") is 0: K8S_TIMEOUT_MS=abc once made every cluster call time out after 1 ms.
 */
function wholeNumber(min: number, max: number, unit = "") {
  return z
    .string()
    .optional()
    .transform((value, ctx): number | undefined => {
      if (value === undefined || value.trim() === "") return undefined;
      const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
      if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
      ctx.addIssue({ code: "custom", message: `must be a whole number from ${min} to ${max}${unit} (got "${value}")` });
      return z.NEVER;
    });
}
const port = () => wholeNumber(1, 65_535);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: postgresUrl.optional(),
    APP_URL: z.url().optional(),
    // Where the web server listens (npm start passes it on); demo sign-in depends on it.
    HOST: z.string().min(1).optional(),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters (try `openssl rand -base64 32`)").optional(),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_DISPLAY_NAME: z.string().min(1).default("Single sign-on"),
    // People whose first OIDC sign-in makes them admins, so a new installation can be set up.
    ADMIN_EMAILS: z
      .string()
      .optional()
      .transform((v) =>
        v
          ? v
              .split(",")
              .map((e) => e.trim().toLowerCase())
              .filter(Boolean)
          : [],
      ),
    // The role a person gets on their first OIDC sign-in; "none" leaves them waiting for an admin.
    OIDC_DEFAULT_ROLE: z.enum(["none", "VIEWER"]).default("none"),
    GREENLIGHT_DEMO_LOGIN: flag,
    PROMETHEUS_URL: z.url().optional(),
    // How the Prometheus client authenticates (lib/prometheus/client.ts): a bearer token (or a
    // file holding it, re-read as it rotates) or basic auth, and a CA for a private https endpoint.
    PROMETHEUS_BEARER_TOKEN: z.string().min(1).optional(),
    PROMETHEUS_BEARER_TOKEN_FILE: z.string().min(1).optional(),
    PROMETHEUS_USERNAME: z.string().min(1).optional(),
    PROMETHEUS_PASSWORD: z.string().min(1).optional(),
    PROMETHEUS_CA_FILE: z.string().min(1).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    // Alertmanager's webhook (POST /api/alerts/alertmanager) answers only requests carrying this
    // bearer token; unset, the webhook is off (503).
    ALERTMANAGER_TOKEN: z
      .string()
      .min(16, "must be at least 16 characters (try `openssl rand -base64 32`)")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces (it travels in an HTTP header)")
      .optional(),
    // Prometheus's scrape of /api/metrics and of the worker's metrics port needs this bearer
    // token; unset, both are off.
    METRICS_TOKEN: z
      .string()
      .min(16, "must be at least 16 characters (try `openssl rand -base64 32`)")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces (it travels in an HTTP header)")
      .optional(),
    // The alert label whose value (P1..P4, or critical/high/warning/info) sets an incident's severity.
    ALERT_SEVERITY_LABEL: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a Prometheus label name")
      .default("severity"),
    ALERT_DEFAULT_SEVERITY: z.enum(["P1", "P2", "P3", "P4"]).default("P3"),
    // A deploy that started this long before an alert is linked to its incident as the likely cause.
    ALERT_DEPLOY_WINDOW_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
    // Each cluster call is aborted after this long (lib/k8s/gateway.ts).
    K8S_TIMEOUT_MS: wholeNumber(100, 300_000, " ms").transform((v) => v ?? 10_000),
    // A run's deadline; canary pauses are added to it (lib/deploy/targets.ts).
    RUN_DEADLINE_SECONDS: wholeNumber(30, 86_400, " s").transform((v) => v ?? 600),
    // Requests per minute one API token may make to /api/v1 (lib/api-tokens/rate-limit.ts).
    API_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 100_000).transform((v) => v ?? 120),
    // Runs one worker process carries at once (scripts/worker.ts).
    WORKER_CONCURRENCY: wholeNumber(1, 256).transform((v) => v ?? 4),
    // The ports `npm start` uses (scripts/start.ts); SANDBOX_PORT unset lets the sandbox choose.
    PORT: port().transform((v) => v ?? 3000),
    EMBEDDED_PG_PORT: port().transform((v) => v ?? 54_329),
    PROMETHEUS_PORT: port().transform((v) => v ?? 9491),
    ALERTMANAGER_PORT: port().transform((v) => v ?? 9493),
    SANDBOX_PORT: port(),
    // Where a worker process serves its metrics (GET /metrics, METRICS_TOKEN).
    WORKER_METRICS_PORT: port().transform((v) => v ?? 9495),
  })
  .superRefine((env, ctx) => {
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      for (const key of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"] as const) {
        if (!env[key])
          ctx.addIssue({ code: "custom", path: [key], message: "is required when any OIDC_* variable is set" });
      }
    }
    if (env.NODE_ENV === "production") {
      const problem = appUrlProblemInProduction(env.APP_URL);
      if (problem) ctx.addIssue({ code: "custom", path: ["APP_URL"], message: problem });
    }
    for (const problem of prometheusAuthProblems(env)) ctx.addIssue({ code: "custom", ...problem });
    if (env.NODE_ENV === "production" && !env.AUTH_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_SECRET"],
        message: "is required in production (sessions are signed with it)",
      });
    }
  });

export type Env = z.infer<typeof schema>;

/**
 * In production the public URL must be known (sign-in callbacks, links, secure cookies) and use
 * https, since session cookies travel with every request. Plain http is accepted only for a
 * loopback address, which never leaves the machine (the zero-config `npm start`).
 */
export function appUrlProblemInProduction(appUrl: string | undefined): string | null {
  if (!appUrl) {
    return "is required in production: the public https:// URL people open (e.g. https://greenlight.example.com)";
  }
  const url = new URL(appUrl);
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return null;
  return `must be an https:// URL in production (got ${url.protocol}//${url.host}): session cookies must not travel in clear text`;
}

/** One way to authenticate to Prometheus, said completely. */
function prometheusAuthProblems(env: {
  PROMETHEUS_BEARER_TOKEN?: string;
  PROMETHEUS_BEARER_TOKEN_FILE?: string;
  PROMETHEUS_USERNAME?: string;
  PROMETHEUS_PASSWORD?: string;
}): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const bearer = env.PROMETHEUS_BEARER_TOKEN || env.PROMETHEUS_BEARER_TOKEN_FILE;
  if (env.PROMETHEUS_BEARER_TOKEN && env.PROMETHEUS_BEARER_TOKEN_FILE)
    problems.push({ path: ["PROMETHEUS_BEARER_TOKEN_FILE"], message: "set the token or its file, not both" });
  if (bearer && (env.PROMETHEUS_USERNAME || env.PROMETHEUS_PASSWORD))
    problems.push({
      path: ["PROMETHEUS_USERNAME"],
      message:
        "set a bearer token (PROMETHEUS_BEARER_TOKEN[_FILE]) or basic auth (PROMETHEUS_USERNAME/PASSWORD), not both",
    });
  if (Boolean(env.PROMETHEUS_USERNAME) !== Boolean(env.PROMETHEUS_PASSWORD))
    problems.push({
      path: [env.PROMETHEUS_USERNAME ? "PROMETHEUS_PASSWORD" : "PROMETHEUS_USERNAME"],
      message: "basic auth needs both PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD",
    });
  return problems;
}

export class EnvError extends Error {}

/** Parses a set of variables; throws an EnvError whose message names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(environment)"}: ${issue.message}`);
  throw new EnvError(`Greenlight cannot start: the configuration is invalid.\n${lines.join("\n")}`);
}

let cached: Env | undefined;

/** The configuration, read once from process.env and checked. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

export function oidcEnabled(config: Env = env()): boolean {
  return Boolean(config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET);
}
