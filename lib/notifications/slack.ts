import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { ROLE_LABELS, type Role } from "@/lib/roles";

export type ReleaseEvent = "awaiting" | "approved" | "rejected" | "deployed";

const TIMEOUT_MS = 3000;

/**
 * Person-supplied text made inert for a Slack message. Slack reads `<…>` as a link or a mention
 * (`<!channel>`, `<!here>`, `<@U123>`, `<!subteam^…>`) and `&` as the start of an entity, so its
 * formatting rules ask for exactly these three to be escaped as HTML entities
 * (https://api.slack.com/reference/surfaces/formatting#escaping). Typed `@channel`, `@here` and
 * `@everyone` would page a whole channel where the workspace links names, so a zero-width space
 * after the `@` keeps them looking the same without notifying anyone.
 */
export function slackText(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/@(?=(channel|here|everyone|group)\b)/gi, "@\u200B");
}

export interface ReleaseForMessage {
  id: string;
  number: number;
  imageRef: string;
  revision: number;
  service: { displayName: string };
  environment: { displayName: string };
}

export interface ReleaseDetail {
  role?: Role;
  by?: string;
  comment?: string;
}

function link(appUrl: string | undefined, releaseId: string | null): string {
  return appUrl && releaseId ? ` <${appUrl}/releases/${encodeURIComponent(releaseId)}|open>` : "";
}

/** The message for one release event; every piece that came from a person is escaped. */
export function releaseMessage(
  release: ReleaseForMessage,
  event: ReleaseEvent,
  detail: ReleaseDetail = {},
  appUrl?: string,
): string {
  const name = slackText(
    `R-${release.number} ${release.service.displayName} → ${release.environment.displayName} (${release.imageRef}, revision ${release.revision})`,
  );
  const by = slackText(detail.by ?? "Someone");
  const as = slackText(detail.role ? ROLE_LABELS[detail.role] : "approver");
  const open = link(appUrl, release.id);
  switch (event) {
    case "awaiting":
      return `:hourglass: ${name} awaits sign-off.${open}`;
    case "approved":
      return `:white_check_mark: ${by} approved ${name} as ${as}.${open}`;
    case "rejected":
      return `:x: ${by} rejected ${name} as ${as}: ${slackText(detail.comment ?? "")}${open}`;
    case "deployed":
      return `:rocket: ${name} is deployed.${open}`;
  }
}

/** A rollback message: `text` is plain text (service names, reasons, summaries), all escaped. */
export function rollbackMessage(text: string, releaseId: string | null, appUrl?: string): string {
  return `:rewind: ${slackText(text)}${link(appUrl, releaseId)}`;
}

/** Follow-ups of one deploy that fell overdue; labels come from admins and are escaped. */
export function followUpsOverdueMessage(
  release: Pick<ReleaseForMessage, "id" | "number" | "service" | "environment">,
  items: { label: string; dueAt: string }[],
  appUrl?: string,
): string {
  const name = slackText(`R-${release.number} ${release.service.displayName} → ${release.environment.displayName}`);
  const list = items.map((i) => `• ${slackText(i.label)} (due ${slackText(i.dueAt)})`).join("\n");
  const what = items.length === 1 ? "a follow-up is overdue" : `${items.length} follow-ups are overdue`;
  return `:alarm_clock: ${name}: ${what}.${link(appUrl, release.id)}\n${list}`;
}

/** Sends one message when SLACK_WEBHOOK_URL is set; never throws (logged and dropped). */
export async function notifySlack(text: string, context: Record<string, unknown>): Promise<void> {
  const webhook = process.env.SLACK_WEBHOOK_URL;
  if (!webhook) return;
  try {
    const response = await post(webhook, text);
    if (!response.ok) log.warn({ status: response.status, ...context }, "slack webhook refused the message");
  } catch (error) {
    log.warn({ err: error, ...context }, "slack webhook failed");
  }
}

/** The webhook body: Slack is also told not to link names or URLs in the text by itself. */
export function slackPayload(text: string): string {
  return JSON.stringify({ text, parse: "none", link_names: false });
}

async function post(webhook: string, text: string): Promise<Response> {
  return fetch(webhook, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: slackPayload(text),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}

/**
 * Tells the approvers' Slack channel about a release, when SLACK_WEBHOOK_URL is set. Never
 * blocks or fails the gate: errors and timeouts are logged and dropped.
 */
export async function notifyRelease(releaseId: string, event: ReleaseEvent, detail: ReleaseDetail = {}): Promise<void> {
  const webhook = process.env.SLACK_WEBHOOK_URL;
  if (!webhook) return;
  try {
    const release = await db.release.findUnique({
      where: { id: releaseId },
      include: { service: true, environment: true },
    });
    if (!release) return;
    const response = await post(webhook, releaseMessage(release, event, detail, process.env.APP_URL));
    if (!response.ok) log.warn({ status: response.status, event, releaseId }, "slack webhook refused the message");
  } catch (error) {
    log.warn({ err: error, event, releaseId }, "slack webhook failed");
  }
}

/** Tells the channel Greenlight rolled a service back by itself; never throws. */
export async function notifyRollback(releaseId: string | null, text: string): Promise<void> {
  const webhook = process.env.SLACK_WEBHOOK_URL;
  if (!webhook) return;
  try {
    const response = await post(webhook, rollbackMessage(text, releaseId, process.env.APP_URL));
    if (!response.ok) log.warn({ status: response.status, releaseId }, "slack webhook refused the rollback message");
  } catch (error) {
    log.warn({ err: error, releaseId }, "slack webhook failed");
  }
}
