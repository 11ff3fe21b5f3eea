import { differenceInMinutes } from "date-fns";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { matchTarget, type AlertTarget } from "@/lib/alerts/matching";
import { alertAction, alertNameOf, causeWindow, incidentTitle, utc, type AlertAction } from "@/lib/alerts/plan";
import { severityFromLabel } from "@/lib/alerts/severity";
import type { Db, DbTx } from "@/lib/db";
import type { Prisma, Severity } from "@/lib/generated/prisma/client";
import { addTimelineEntry, linkRun } from "@/lib/incidents/timeline";
import type { AlertmanagerAlert, AlertmanagerWebhook } from "@/lib/schemas/alertmanager";

/** Who the audit log names for what the webhook changes. */
export const ALERTMANAGER_ACTOR: Actor = { id: null, label: "Alertmanager" };

export interface IngestOptions {
  /** The label whose value sets a new incident's severity (ALERT_SEVERITY_LABEL). */
  severityLabel: string;
  /** Severity when the label is missing or unknown (ALERT_DEFAULT_SEVERITY). */
  defaultSeverity: Severity;
  /** How far before an alert's start a deploy is linked as its likely cause (ALERT_DEPLOY_WINDOW_MINUTES). */
  deployWindowMinutes: number;
  now?: Date;
}

/** Per alert, what the webhook did (in the response, so a sender can see it). */
export type AlertOutcome = "opened" | "attached" | "updated" | "resolved" | "ignored" | "unmatched" | "ambiguous";

const OUTCOME: Record<AlertAction, AlertOutcome> = {
  open: "opened",
  attach: "attached",
  update: "updated",
  late: "updated",
  resolve: "resolved",
  ignore: "ignored",
  stale: "ignored",
};

export interface AlertResult {
  fingerprint: string;
  alertname: string;
  status: "firing" | "resolved";
  outcome: AlertOutcome;
  /** What happened, in words (also what Alertmanager's sender sees in the response). */
  message: string;
  incidentId?: string;
  incidentNumber?: number;
  /** The deploy linked as the likely cause, when this alert opened the incident. */
  causeRunId?: string;
}

export interface IngestResult {
  results: AlertResult[];
}

interface MatchedTarget extends AlertTarget {
  lockKey: string;
}

type IncidentRef = { id: string; number: number };
type HeldRow = Prisma.IncidentAlertGetPayload<{ include: { incident: { select: { id: true; number: true } } } }>;

/** What one notification has read and changed so far, so each alert needs no look-up of its own. */
interface IngestState {
  /** By fingerprint, the alert an unresolved incident holds. */
  held: Map<string, HeldRow>;
  /** By target, its open incident (null: none), once asked. */
  openIncidents: Map<string, IncidentRef | null>;
}

/**
 * Records one Alertmanager notification, in one transaction. Each alert is identified by its
 * fingerprint on an unresolved incident: a repeat counts a notification on it, a resolved one
 * closes its entry (the incident stays open until a person resolves it). A new firing alert
 * joins its service's open incident in that environment, or opens one, linking the most recent
 * deploy that served traffic within the window before the alert started as the likely cause. Alerts that match no
 * target are reported back and stored nowhere. Every stored notification adds a timeline entry.
 *
 * Two deliveries of the same notification at once (Alertmanager retries, or two replicas) must
 * not open two incidents: deliveries for one service and environment are serialized with a
 * transaction-scoped advisory lock, and everything is read again after taking it.
 */
export async function ingestAlertmanagerWebhook(
  db: Db,
  payload: AlertmanagerWebhook,
  options: IngestOptions,
): Promise<IngestResult> {
  const now = options.now ?? new Date();
  const targets: MatchedTarget[] = (
    await db.serviceTarget.findMany({
      select: {
        id: true,
        serviceId: true,
        environmentId: true,
        alertMatchers: true,
        service: { select: { name: true } },
        environment: { select: { name: true } },
      },
      orderBy: [{ service: { name: "asc" } }, { environment: { position: "asc" } }],
    })
  ).map((t) => ({
    targetId: t.id,
    serviceId: t.serviceId,
    environmentId: t.environmentId,
    serviceName: t.service.name,
    environmentName: t.environment.name,
    alertMatchers: t.alertMatchers,
    lockKey: `alertmanager:${t.serviceId}:${t.environmentId}`,
  }));
  const matches = payload.alerts.map((alert) => matchTarget(alert.labels, targets));
  // Sorted, so two deliveries touching the same targets take their locks in the same order.
  const lockKeys = [...new Set(matches.flatMap((m) => (m.kind === "matched" ? [m.target.lockKey] : [])))].sort();

  return db.$transaction(
    async (tx) => {
      for (const key of lockKeys) await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${key}))`;
      // Read once under the locks for the whole notification (a query per alert made a large one
      // outlast the transaction), then kept current as the alerts below change them.
      const state: IngestState = {
        held: new Map(),
        openIncidents: new Map(),
      };
      const fingerprints = [...new Set(payload.alerts.map((a) => a.fingerprint))];
      const heldRows = await tx.incidentAlert.findMany({
        where: { fingerprint: { in: fingerprints }, incident: { status: { not: "RESOLVED" } } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        include: { incident: { select: { id: true, number: true } } },
      });
      for (const row of heldRows) if (!state.held.has(row.fingerprint)) state.held.set(row.fingerprint, row);
      const results: AlertResult[] = [];
      for (const [index, alert] of payload.alerts.entries()) {
        const match = matches[index];
        results.push(
          await ingestAlert(
            tx,
            payload,
            alert,
            match.kind === "matched" ? match.target : null,
            options,
            now,
            match,
            state,
          ),
        );
      }
      return { results };
    },
    // Waiting for another delivery's lock counts against the timeout.
    { timeout: 30_000, maxWait: 10_000 },
  );
}

async function ingestAlert(
  tx: DbTx,
  payload: AlertmanagerWebhook,
  alert: AlertmanagerAlert,
  target: MatchedTarget | null,
  options: IngestOptions,
  now: Date,
  match: ReturnType<typeof matchTarget<MatchedTarget>>,
  state: IngestState,
): Promise<AlertResult> {
  const alertname = alertNameOf(alert.labels, alert.fingerprint);
  const base = { fingerprint: alert.fingerprint, alertname, status: alert.status };
  const held = state.held.get(alert.fingerprint) ?? null;
  // An alert already held keeps its incident even if the target's matchers changed since.
  if (!held && !target) {
    if (alert.status === "resolved")
      return {
        ...base,
        outcome: "ignored",
        message: "Resolved, and no open incident holds this alert: nothing stored.",
      };
    if (match.kind === "ambiguous")
      return {
        ...base,
        outcome: "ambiguous",
        message: `The labels match ${match.targets.map((t) => `${t.serviceName} in ${t.environmentName}`).join(" and ")} equally; set alert matchers on the targets so one wins. Nothing stored.`,
      };
    return {
      ...base,
      outcome: "unmatched",
      message:
        'No service target matches these labels (by default service="<service>" and environment="<environment>"). Nothing stored.',
    };
  }
  let openIncident: IncidentRef | null = null;
  if (!held && target) {
    if (!state.openIncidents.has(target.targetId))
      state.openIncidents.set(
        target.targetId,
        await tx.incident.findFirst({
          where: { serviceId: target.serviceId, environmentId: target.environmentId, status: { not: "RESOLVED" } },
          orderBy: { openedAt: "desc" },
          select: { id: true, number: true },
        }),
      );
    openIncident = state.openIncidents.get(target.targetId) ?? null;
  }
  const action = alertAction(alert, held, openIncident !== null);
  const detail = (notification: number): Prisma.InputJsonValue => ({
    fingerprint: alert.fingerprint,
    status: alert.status,
    notification,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt.toISOString(),
    endsAt: alert.endsAt?.toISOString() ?? null,
    generatorURL: alert.generatorURL,
    receiver: payload.receiver,
    groupKey: payload.groupKey,
    externalURL: payload.externalURL,
  });
  const alertFields = {
    alertname,
    labels: alert.labels,
    annotations: alert.annotations,
    generatorUrl: alert.generatorURL || null,
  };

  switch (action) {
    case "update":
    case "late":
    case "resolve": {
      const current = held!;
      const firing = action !== "resolve";
      const updated = await tx.incidentAlert.update({
        where: { id: current.id },
        data: {
          ...alertFields,
          notifications: { increment: 1 },
          lastNotifiedAt: now,
          // A late firing of the instance that already resolved changes nothing but the count.
          ...(action === "late"
            ? {}
            : {
                state: firing ? "FIRING" : "RESOLVED",
                // A firing alert has no end yet; firing again after resolving starts anew.
                ...(firing ? { endsAt: null, startsAt: alert.startsAt } : { endsAt: alert.endsAt ?? now }),
              }),
        },
      });
      state.held.set(alert.fingerprint, { ...updated, incident: current.incident });
      const n = updated.notifications;
      const message =
        action === "late"
          ? `${alertname} still resolved: a late firing notification of the instance that started ${utc(alert.startsAt)} and ended ${utc(current.endsAt ?? now)} (notification ${n})`
          : firing
            ? current.state === "RESOLVED"
              ? `${alertname} is firing again since ${utc(alert.startsAt)} (notification ${n})`
              : `${alertname} still firing (notification ${n})`
            : current.state === "RESOLVED"
              ? `${alertname} still resolved (notification ${n})`
              : `${alertname} resolved at ${utc(updated.endsAt ?? now)} (notification ${n}); the incident stays open until someone resolves it`;
      await addTimelineEntry(tx, {
        incidentId: current.incident.id,
        kind: firing ? "ALERT" : "ALERT_RESOLVED",
        message,
        alertId: current.id,
        data: detail(n),
        at: now,
      });
      await recordAudit(tx, ALERTMANAGER_ACTOR, {
        action: firing ? "incident.alert_firing" : "incident.alert_resolved",
        targetType: "incident",
        targetId: current.incident.id,
        metadata: { fingerprint: alert.fingerprint, alertname, notification: n },
      });
      return {
        ...base,
        outcome: OUTCOME[action],
        message,
        incidentId: current.incident.id,
        incidentNumber: current.incident.number,
      };
    }
    case "ignore":
      return {
        ...base,
        outcome: "ignored",
        message: "Resolved, and no open incident holds this alert: nothing stored.",
      };
    case "stale":
      return {
        ...base,
        outcome: "ignored",
        incidentId: held!.incident.id,
        incidentNumber: held!.incident.number,
        message: `A late resolve of an earlier firing (ended ${utc(alert.endsAt!)}, before the held one started at ${utc(held!.startsAt)}): nothing stored.`,
      };
    case "attach": {
      const incident = openIncident!;
      const created = await tx.incidentAlert.create({
        data: {
          ...alertFields,
          incidentId: incident.id,
          fingerprint: alert.fingerprint,
          state: "FIRING",
          startsAt: alert.startsAt,
          lastNotifiedAt: now,
        },
      });
      state.held.set(alert.fingerprint, { ...created, incident });
      const message = `${alertname} firing since ${utc(alert.startsAt)}; it joins this open incident`;
      await addTimelineEntry(tx, {
        incidentId: incident.id,
        kind: "ALERT",
        message,
        alertId: created.id,
        data: detail(1),
        at: now,
      });
      await recordAudit(tx, ALERTMANAGER_ACTOR, {
        action: "incident.alert_attached",
        targetType: "incident",
        targetId: incident.id,
        metadata: { fingerprint: alert.fingerprint, alertname },
      });
      return { ...base, outcome: "attached", message, incidentId: incident.id, incidentNumber: incident.number };
    }
    case "open": {
      const { result, incident, created } = await openIncidentForAlert(
        tx,
        alert,
        target!,
        options,
        now,
        detail(1),
        alertFields,
        base,
      );
      state.openIncidents.set(target!.targetId, incident);
      state.held.set(alert.fingerprint, { ...created, incident });
      return result;
    }
  }
}

async function openIncidentForAlert(
  tx: DbTx,
  alert: AlertmanagerAlert,
  target: MatchedTarget,
  options: IngestOptions,
  now: Date,
  detail: Prisma.InputJsonValue,
  alertFields: {
    alertname: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    generatorUrl: string | null;
  },
  base: Pick<AlertResult, "fingerprint" | "alertname" | "status">,
): Promise<{ result: AlertResult; incident: IncidentRef; created: Omit<HeldRow, "incident"> }> {
  const window = causeWindow(alert.startsAt, options.deployWindowMinutes);
  const cause = await tx.deploymentRun.findFirst({
    where: {
      serviceId: target.serviceId,
      environmentId: target.environmentId,
      kind: "DEPLOY",
      dryRun: false,
      startedAt: { gte: window.from, lte: window.to },
      // Only a deploy that reached users can have caused what they see: one aborted, still queued
      // or failed before its traffic switch changed nothing.
      OR: [{ status: "SUCCEEDED" }, { trafficSwitchedAt: { not: null } }],
    },
    orderBy: { startedAt: "desc" },
    select: { id: true, releaseId: true, toImage: true, startedAt: true, release: { select: { number: true } } },
  });
  const severity = severityFromLabel(alert.labels[options.severityLabel], options.defaultSeverity);
  const incident = await tx.incident.create({
    data: {
      title: incidentTitle(alert),
      summary: alert.annotations.description?.trim() ?? "",
      severity,
      source: "ALERTMANAGER",
      serviceId: target.serviceId,
      environmentId: target.environmentId,
      releaseId: cause?.releaseId ?? null,
      openedAt: now,
    },
  });
  const created = await tx.incidentAlert.create({
    data: {
      ...alertFields,
      incidentId: incident.id,
      fingerprint: alert.fingerprint,
      state: "FIRING",
      startsAt: alert.startsAt,
      lastNotifiedAt: now,
    },
  });
  const summary = alert.annotations.summary?.trim();
  await addTimelineEntry(tx, {
    incidentId: incident.id,
    kind: "ALERT",
    step: "DETECT",
    message: `Alertmanager: ${alertFields.alertname} firing since ${utc(alert.startsAt)}${summary ? ` — ${summary}` : ""}`,
    alertId: created.id,
    data: detail,
    at: now,
  });
  if (cause?.startedAt) {
    await linkRun(tx, { incidentId: incident.id, runId: cause.id, relation: "cause" });
    const minutes = differenceInMinutes(alert.startsAt, cause.startedAt);
    await addTimelineEntry(tx, {
      incidentId: incident.id,
      kind: "LINK",
      message: `Linked the deploy of ${cause.toImage ?? "a new version"}${cause.release ? ` (release R-${cause.release.number})` : ""}, started ${utc(cause.startedAt)}, ${minutes < 1 ? "less than a minute" : `${minutes} min`} before the alert, as the likely cause`,
      runId: cause.id,
      data: {
        relation: "cause",
        runId: cause.id,
        releaseId: cause.releaseId,
        windowMinutes: options.deployWindowMinutes,
      },
      at: now,
    });
  }
  await recordAudit(tx, ALERTMANAGER_ACTOR, {
    action: "incident.open",
    targetType: "incident",
    targetId: incident.id,
    after: {
      number: incident.number,
      source: "ALERTMANAGER",
      severity,
      service: target.serviceName,
      environment: target.environmentName,
      fingerprint: alert.fingerprint,
      alertname: alertFields.alertname,
      causeRunId: cause?.id ?? null,
    },
  });
  const result: AlertResult = {
    ...base,
    outcome: "opened",
    message: `Opened incident #${incident.number} (${severity}) for ${target.serviceName} in ${target.environmentName}${cause ? `, linked to deploy ${cause.id}` : ""}`,
    incidentId: incident.id,
    incidentNumber: incident.number,
    ...(cause ? { causeRunId: cause.id } : {}),
  };
  return { result, incident: { id: incident.id, number: incident.number }, created };
}
