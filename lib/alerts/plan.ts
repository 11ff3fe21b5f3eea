import type { AlertState } from "@/lib/generated/prisma/client";

/** What one alert of a notification does to the record. */
export type AlertAction =
  /** A firing alert already held by an open incident: count the notification. */
  | "update"
  /**
   * A late or retried "firing" of an instance already resolved (it started before the stored end):
   * count the notification, keep the alert resolved.
   */
  | "late"
  /** A resolved alert held by an open incident: close the alert's entry (the incident stays open). */
  | "resolve"
  /** A resolved alert nobody holds: nothing to close, nothing stored. */
  | "ignore"
  /** A late "resolved" of an earlier instance (it ended before the held one started): nothing stored. */
  | "stale"
  /** A new firing alert while its service already has an open incident: it joins that incident. */
  | "attach"
  /** A new firing alert with no open incident for its service: open one. */
  | "open";

/** An alert as the notification says it is now. */
export interface NotifiedAlert {
  status: "firing" | "resolved";
  startsAt: Date;
  /** Null while firing (Alertmanager's zero time). */
  endsAt: Date | null;
}

/** An alert as an open incident holds it. */
export interface HeldAlert {
  state: AlertState;
  startsAt: Date;
  endsAt: Date | null;
}

/**
 * The rule of the webhook, per alert: identity is the fingerprint on an unresolved incident, so
 * a repeated notification never opens a second incident; an alert only ever opens an incident
 * while firing.
 *
 * Alertmanager retries failed deliveries and HA replicas deliver out of order, so a notification
 * can be older than what is held. Instances are told apart by their times: a firing with a start
 * at or before the held end is the instance that already resolved (a new instance starts after
 * the old one ended), and a resolve ending before the held start belongs to an earlier instance.
 */
export function alertAction(alert: NotifiedAlert, held: HeldAlert | null, openIncidentForTarget: boolean): AlertAction {
  if (held) {
    if (alert.status === "firing")
      return held.state === "RESOLVED" && held.endsAt !== null && alert.startsAt <= held.endsAt ? "late" : "update";
    return held.state === "FIRING" && alert.endsAt !== null && alert.endsAt < held.startsAt ? "stale" : "resolve";
  }
  if (alert.status === "resolved") return "ignore";
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
