import type { AlertState } from "@/lib/generated/prisma/client";

/** What one alert of a notification does to the record. */
export type AlertAction =
  /** A firing alert already held by an open incident: count the notification. */
  | "update"
  /** A resolved alert held by an open incident: close the alert's entry (the incident stays open). */
  | "resolve"
  /** A resolved alert nobody holds: nothing to close, nothing stored. */
  | "ignore"
  /** A new firing alert while its service already has an open incident: it joins that incident. */
  | "attach"
  /** A new firing alert with no open incident for its service: open one. */
  | "open";

/**
 * The rule of the webhook, per alert: identity is the fingerprint on an unresolved incident, so
 * a repeated notification never opens a second incident; an alert only ever opens an incident
 * while firing.
 */
export function alertAction(
  status: "firing" | "resolved",
  held: { state: AlertState } | null,
  openIncidentForTarget: boolean,
): AlertAction {
  if (held) return status === "firing" ? "update" : "resolve";
  if (status === "resolved") return "ignore";
  return openIncidentForTarget ? "attach" : "open";
}

const MAX_TITLE = 200;

/** alertname, or the fingerprint for an alert without one (Alertmanager does not require it). */
export function alertNameOf(labels: Record<string, string>, fingerprint: string): string {
  return labels.alertname?.trim() || `alert ${fingerprint}`;
}

/** An incident opened by an alert is titled by its summary annotation, else its alertname. */
export function incidentTitle(alert: {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
}): string {
  const title = alert.annotations.summary?.trim() || alertNameOf(alert.labels, alert.fingerprint);
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1)}…` : title;
}

/** The deploys that may have caused an alert: started in [startsAt − window, startsAt]. */
export function causeWindow(startsAt: Date, windowMinutes: number): { from: Date; to: Date } {
  return { from: new Date(startsAt.getTime() - windowMinutes * 60_000), to: startsAt };
}

/** "2026-12-04 10:30:05 UTC", as the pages show exact times. */
export function utc(value: Date): string {
  return `${value.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
