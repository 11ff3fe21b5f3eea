import { handleAlertmanagerWebhook, webhookConfig } from "@/lib/alerts/webhook";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/**
 * Alertmanager's webhook receiver (payload version 4). Machines call it, not people: it needs
 * no session, only the bearer token ALERTMANAGER_TOKEN (Greenlight has no middleware that would
 * ask for one; pages and other routes check the session themselves).
 */
export async function POST(request: Request) {
  return handleAlertmanagerWebhook(request, webhookConfig(env()));
}
