import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { ROLE_LABELS, type Role } from "@/lib/roles";

export type ReleaseEvent = "awaiting" | "approved" | "rejected" | "deployed";

const TIMEOUT_MS = 3000;

/**
 * Tells the approvers' Slack channel about a release, when SLACK_WEBHOOK_URL is set. Never
 * blocks or fails the gate: errors and timeouts are logged and dropped.
 */
export async function notifyRelease(
  releaseId: string,
  event: ReleaseEvent,
  detail: { role?: Role; by?: string; comment?: string } = {},
): Promise<void> {
  const webhook = process.env.SLACK_WEBHOOK_URL;
  if (!webhook) return;
  try {
    const release = await db.release.findUnique({
      where: { id: releaseId },
      include: { service: true, environment: true },
    });
    if (!release) return;
    const name = `R-${release.number} ${release.service.displayName} → ${release.environment.displayName} (${release.imageRef}, revision ${release.revision})`;
    const link = process.env.APP_URL ? ` <${process.env.APP_URL}/releases/${release.id}|open>` : "";
    const text =
      event === "awaiting"
        ? `:hourglass: ${name} awaits sign-off.${link}`
        : event === "approved"
          ? `:white_check_mark: ${detail.by} approved ${name} as ${detail.role ? ROLE_LABELS[detail.role] : "approver"}.${link}`
          : event === "rejected"
            ? `:x: ${detail.by} rejected ${name} as ${detail.role ? ROLE_LABELS[detail.role] : "approver"}: ${detail.comment ?? ""}${link}`
            : `:rocket: ${name} is deployed.${link}`;
    const response = await fetch(webhook, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) log.warn({ status: response.status, event, releaseId }, "slack webhook refused the message");
  } catch (error) {
    log.warn({ err: error, event, releaseId }, "slack webhook failed");
  }
}

/** Tells the channel Greenlight rolled a service back by itself; never throws. */
export async function notifyRollback(releaseId: string | null, text: string): Promise<void> {
  const webhook = process.env.SLACK_WEBHOOK_URL;
  if (!webhook) return;
  const link = process.env.APP_URL && releaseId ? ` <${process.env.APP_URL}/releases/${releaseId}|open>` : "";
  try {
    const response = await fetch(webhook, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: `:rewind: ${text}${link}` }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) log.warn({ status: response.status, releaseId }, "slack webhook refused the rollback message");
  } catch (error) {
    log.warn({ err: error, releaseId }, "slack webhook failed");
  }
}
