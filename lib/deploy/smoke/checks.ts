/**
 * Smoke checks, judged: what an answer from a pod must be for the check to pass, and how a result
 * reads on the run's timeline. Pure; lib/deploy/smoke/run.ts sends the requests.
 */
/**
 * The worker variables a check's secret header may come from: only SMOKE_…, so an admin cannot
 * point a check at the app's own secrets (DATABASE_URL, AUTH_SECRET) and send them to a pod.
 */
export const SMOKE_SECRET_ENV = /^SMOKE_[A-Z0-9_]{1,58}$/;

export interface SmokeCheckSpec {
  name: string;
  method: "GET" | "HEAD" | "POST";
  path: string;
  expectedStatus: number;
  bodyContains?: string | null;
  /** A dot path into a JSON body ("status", "checks.database"). */
  jsonField?: string | null;
  jsonEquals?: string | null;
  timeoutMs: number;
  headerName?: string | null;
  /** The worker's environment variable holding the header's value. */
  headerSecretEnv?: string | null;
}

/** What came back: the pod's answer, or the API server's (or network's) refusal to reach it. */
export type ProxyAnswer =
  | { kind: "answer"; status: number; body: string }
  | { kind: "refused"; status: number; message: string }
  | { kind: "error"; message: string };

export interface SmokeVerdict {
  ok: boolean;
  /** One line for the timeline: "GET /healthz → 200: ok" or why it failed, with the body's start. */
  summary: string;
}

const EXCERPT = 200;

/** The first bytes of a body, on one line, for an event (never the whole page). */
export function bodyExcerpt(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

/** "GET /healthz → 200, status = ok": what the check expects, for dry runs and the admin page. */
export function describeCheck(check: SmokeCheckSpec): string {
  const extra = [
    check.bodyContains ? `body contains "${check.bodyContains}"` : null,
    check.jsonField ? `${check.jsonField} = ${check.jsonEquals ?? ""}` : null,
  ].filter(Boolean);
  return `${check.method} ${check.path} → ${check.expectedStatus}${extra.length ? `, ${extra.join(", ")}` : ""}`;
}

function field(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function judge(check: SmokeCheckSpec, answer: ProxyAnswer): SmokeVerdict {
  const what = `${check.name} (${check.method} ${check.path})`;
  if (answer.kind === "error") return { ok: false, summary: `${what} got no answer: ${answer.message}` };
  if (answer.kind === "refused")
    return {
      ok: false,
      summary: `${what} could not reach the pod: the API server answered ${answer.status}: ${answer.message}`,
    };
  const excerpt = bodyExcerpt(answer.body);
  const fail = (why: string) => ({ ok: false, summary: `${what} ${why}${excerpt ? `; body: ${excerpt}` : ""}` });
  if (answer.status !== check.expectedStatus)
    return fail(`answered ${answer.status}, expected ${check.expectedStatus}`);
  if (check.bodyContains && !answer.body.includes(check.bodyContains))
    return fail(`answered ${answer.status} without "${check.bodyContains}" in the body`);
  if (check.jsonField) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return fail(`answered ${answer.status} with a body that is not JSON`);
    }
    const actual = field(parsed, check.jsonField);
    const shown = actual === undefined ? "missing" : typeof actual === "string" ? actual : JSON.stringify(actual);
    if (shown !== (check.jsonEquals ?? ""))
      return fail(`answered ${answer.status} with ${check.jsonField} = ${shown}, expected ${check.jsonEquals ?? ""}`);
  }
  return { ok: true, summary: `${what} answered ${answer.status} as expected` };
}

/**
 * Whether an error answer came from the API server itself (a Status object: the pod does not
 * exist, has no address, nothing listens) rather than from the pod.
 */
export function apiServerStatus(contentType: string | undefined, body: string): string | null {
  if (!contentType?.includes("application/json")) return null;
  try {
    const parsed = JSON.parse(body) as { kind?: unknown; status?: unknown; message?: unknown };
    return parsed.kind === "Status" && parsed.status === "Failure" ? String(parsed.message ?? "") : null;
  } catch {
    return null;
  }
}
