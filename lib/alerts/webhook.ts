import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { ingestAlertmanagerWebhook, type IngestOptions } from "@/lib/alerts/ingest";
import { getDb, type Db } from "@/lib/db";
import type { Env } from "@/lib/env";
import { log } from "@/lib/log";
import { alertmanagerWebhookSchema } from "@/lib/schemas/alertmanager";

/** Alertmanager's notifications are small; 1 MiB holds thousands of alerts. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookConfig {
  /** The bearer token Alertmanager must send; undefined turns the webhook off. */
  token: string | undefined;
  ingest: IngestOptions;
  maxBytes?: number;
}

/** The webhook's settings from the checked configuration. */
export function webhookConfig(config: Env): WebhookConfig {
  return {
    token: config.ALERTMANAGER_TOKEN,
    ingest: {
      severityLabel: config.ALERT_SEVERITY_LABEL,
      defaultSeverity: config.ALERT_DEFAULT_SEVERITY,
      deployWindowMinutes: config.ALERT_DEPLOY_WINDOW_MINUTES,
    },
  };
}

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });

/** Compares in constant time: digests first, so the lengths never differ either. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110). */
export function bearerToken(header: string | null): string | null {
  const match = header ? /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header) : null;
  return match ? match[1] : null;
}

class TooLarge extends Error {}

/** Reads the body up to `limit` bytes, without buffering more than that from a lying sender. */
async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw new TooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** "alerts.0.startsAt: must be an RFC 3339 time…", one line per zod issue. */
function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join(".") || "(body)", message: issue.message }));
}

const KINDS: Record<string, string> = {
  string: "text",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object",
};

/**
 * Issues the schema gives no words of its own, said for whoever configured the sender; the
 * reply puts the field's path in the payload before each ("alerts.0.labels: must be an object").
 */
function payloadIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${KINDS[String(issue.expected)] ?? "of another kind"}`;
    case "too_big":
      return `is too long (at most ${String(issue.maximum)})`;
    case "too_small":
      return `is too short (at least ${String(issue.minimum)})`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return "is not valid";
  }
}

/**
 * POST /api/alerts/alertmanager: Alertmanager's webhook receiver. The token is checked before the
 * body is read; a bad body is refused with the reason and nothing is stored; a good one is
 * recorded in one transaction and answered with what happened to each alert.
 */
export async function handleAlertmanagerWebhook(
  request: Request,
  config: WebhookConfig,
  db: Db = getDb(),
): Promise<Response> {
  if (!config.token)
    return json({ error: "The Alertmanager webhook is not configured: set ALERTMANAGER_TOKEN on the server." }, 503);
  const presented = bearerToken(request.headers.get("authorization"));
  if (presented === null || !tokenMatches(presented, config.token)) {
    return json(
      { error: presented === null ? "Send the token as Authorization: Bearer <token>." : "The token is not valid." },
      401,
      {
        "WWW-Authenticate":
          presented === null ? 'Bearer realm="greenlight"' : 'Bearer realm="greenlight", error="invalid_token"',
      },
    );
  }
  const limit = config.maxBytes ?? MAX_WEBHOOK_BYTES;
  let text: string;
  try {
    text = await readBody(request, limit);
  } catch (error) {
    if (error instanceof TooLarge) return json({ error: `The body is larger than ${limit} bytes.` }, 413);
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return json(
      // The parser's own wording ("Unexpected token …") means nothing to whoever configured the sender.
      { error: "The body is not JSON. Alertmanager sends its webhook payload (version 4) as JSON." },
      400,
    );
  }
  const parsed = alertmanagerWebhookSchema.safeParse(body, { error: payloadIssue });
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return json(
      {
        error: `Not an Alertmanager webhook payload (version 4): ${issues.map((i) => `${i.path}: ${i.message.replace(/\.$/, "")}`).join("; ")}.`,
        issues,
      },
      400,
    );
  }
  try {
    const { results } = await ingestAlertmanagerWebhook(db, parsed.data, config.ingest);
    log.info(
      { receiver: parsed.data.receiver, groupKey: parsed.data.groupKey, outcomes: results.map((r) => r.outcome) },
      "alertmanager notification recorded",
    );
    return json(
      {
        results,
        ...(parsed.data.truncatedAlerts > 0
          ? {
              truncatedAlerts: parsed.data.truncatedAlerts,
              warning: `Alertmanager left out ${parsed.data.truncatedAlerts} alerts (max_alerts); they were not recorded.`,
            }
          : {}),
      },
      200,
    );
  } catch (error) {
    // Alertmanager retries on 5xx, which is what a passing database problem needs.
    log.error({ err: error, groupKey: parsed.data.groupKey }, "alertmanager notification failed");
    return json({ error: "The notification could not be recorded; Alertmanager will retry." }, 500);
  }
}
