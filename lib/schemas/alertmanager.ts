import { z } from "zod";

/**
 * Alertmanager's webhook body, payload version "4" (the only version Alertmanager has sent since
 * 0.x; see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). Unknown
 * fields are dropped, missing or mistyped known ones are refused with their path.
 */

const labelSet = z.record(z.string().max(1024), z.string().max(16_384, "is longer than 16 KiB"));

// Go's zero time ("0001-01-01T00:00:00Z") is how Alertmanager says "no end yet".
const GO_ZERO_TIME_YEAR = 1;

const timestamp = z.iso
  .datetime({ offset: true, error: "must be an RFC 3339 time, e.g. 2026-12-04T10:30:00Z" })
  .transform((v) => new Date(v));

export const alertmanagerAlertSchema = z.object({
  status: z.enum(["firing", "resolved"], { error: 'must be "firing" or "resolved"' }),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional().transform((d) => (d && d.getUTCFullYear() > GO_ZERO_TIME_YEAR ? d : null)),
  generatorURL: z.string().max(4096).default(""),
  fingerprint: z
    .string({ error: "is required (Alertmanager sends it since 0.19)" })
    .min(1, "is required")
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, "must be a hex fingerprint"),
});

/**
 * The most alerts one notification may carry. It is recorded in one transaction (30 s) at about
 * three writes per alert: 1,000 alerts took 11–13 s by hand on a busy 2-core machine (load 8), so
 * 500 leaves room for a second delivery waiting on the same lock. Alertmanager does not retry a
 * 4xx, and retrying would not help: the sender has to group more finely or set max_alerts.
 */
export const MAX_ALERTS_PER_NOTIFICATION = 500;

export const alertmanagerWebhookSchema = z.object({
  version: z.literal("4", { error: 'must be "4" (the only webhook payload version Greenlight reads)' }),
  groupKey: z.string().max(16_384),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(["firing", "resolved"], { error: 'must be "firing" or "resolved"' }),
  receiver: z.string().max(1024),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().max(4096).default(""),
  alerts: z
    .array(alertmanagerAlertSchema)
    .min(1, "must hold at least one alert")
    .max(
      MAX_ALERTS_PER_NOTIFICATION,
      `must hold at most ${MAX_ALERTS_PER_NOTIFICATION} alerts (one notification is recorded in one transaction); split the group with a finer group_by on the route, or set max_alerts on the webhook receiver (alerts over it are left out)`,
    ),
});

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlertSchema>;
/** What a sender writes (times as strings), e.g. a test fixture. */
export type AlertmanagerWebhookInput = z.input<typeof alertmanagerWebhookSchema>;
