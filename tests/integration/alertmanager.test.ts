import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERTMANAGER_ACTOR } from "@/lib/alerts/ingest";
import { handleAlertmanagerWebhook, type WebhookConfig } from "@/lib/alerts/webhook";
import { freePort } from "@/lib/db/embedded-postgres";
import type { RunStatus } from "@/lib/generated/prisma/enums";
import { findPrometheus, startLocalPrometheus, type LocalPrometheus } from "@/lib/prometheus/local-server";
import {
  ALERTMANAGER_WEBHOOK_PATH,
  alertmanagerConfig,
  demoAlertRules,
  DEMO_ALERT_NAME,
  findAlertmanager,
  startLocalAlertmanager,
  type LocalAlertmanager,
} from "@/lib/runtime/alertmanager-local";
import { MAX_ALERTS_PER_NOTIFICATION } from "@/lib/schemas/alertmanager";
import { firingAlert, notification, serveHandler, type HandlerServer } from "@/tests/support/alertmanager";
import { seedDemo } from "@/tests/support/fixtures";
import { waitFor } from "@/tests/support/workloads";

const TOKEN = "alertmanager-test-token-0123456789";
// The route reads the configuration once, from the environment: set before anything reads it.
process.env.ALERTMANAGER_TOKEN = TOKEN;

const config: WebhookConfig = {
  token: TOKEN,
  ingest: { severityLabel: "severity", defaultSeverity: "P3", deployWindowMinutes: 60 },
};

let f: Awaited<ReturnType<typeof seedDemo>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  f = await seedDemo();
  for (const name of ["checkout", "catalog", "search"])
    ids[name] = (await f.db.service.findUniqueOrThrow({ where: { name } })).id;
});

function post(body: unknown, options: { token?: string | null; raw?: string; cfg?: WebhookConfig } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const request = new Request(`http://127.0.0.1${ALERTMANAGER_WEBHOOK_PATH}`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  return handleAlertmanagerWebhook(request, options.cfg ?? config);
}

interface Answer {
  results: { fingerprint: string; outcome: string; message: string; incidentId?: string; causeRunId?: string }[];
  error?: string;
  issues?: { path: string; message: string }[];
}
const read = async (response: Response) => (await response.json()) as Answer;

/** Everything the webhook could write. */
async function counts() {
  const [incidents, alerts, events, links, audit] = await Promise.all([
    f.db.incident.count(),
    f.db.incidentAlert.count(),
    f.db.incidentEvent.count(),
    f.db.incidentRun.count(),
    f.db.auditLog.count({ where: { actorLabel: ALERTMANAGER_ACTOR.label } }),
  ]);
  return { incidents, alerts, events, links, audit };
}

let releaseCounter = 0;
/** A deploy of a new release of a service in an environment, started at `startedAt`. */
async function deployAt(
  serviceId: string,
  environmentId: string,
  startedAt: Date,
  options: { dryRun?: boolean; status?: RunStatus; trafficSwitchedAt?: Date | null } = {},
) {
  releaseCounter++;
  const tag = `2.${releaseCounter}.0`;
  const release = await f.db.release.create({
    data: {
      serviceId,
      environmentId,
      imageRef: `registry.example.com/shop/app:${tag}`,
      imageRepository: "registry.example.com/shop/app",
      imageTag: tag,
      strategy: "ROLLING",
      changeSummary: "Alertmanager fixture.",
      status: "DEPLOYED",
      createdById: f.releaseManager.id,
    },
  });
  const run = await f.db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status: options.status ?? "SUCCEEDED",
      serviceId,
      environmentId,
      releaseId: release.id,
      trafficSwitchedAt: options.trafficSwitchedAt ?? null,
      strategy: "ROLLING",
      dryRun: options.dryRun ?? false,
      toImage: release.imageRef,
      createdAt: startedAt,
      startedAt,
      finishedAt: new Date(startedAt.getTime() + 60_000),
    },
  });
  return { release, run };
}

const minutes = (n: number) => n * 60_000;

describe("POST /api/alerts/alertmanager: refusals store nothing", () => {
  const payload = () => notification([firingAlert({ fingerprint: "refused000000001" })]);

  it("answers 503 while no token is configured", async () => {
    const before = await counts();
    const response = await post(payload(), { cfg: { ...config, token: undefined } });
    expect(response.status).toBe(503);
    expect((await read(response)).error).toMatch(/ALERTMANAGER_TOKEN/);
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["a wrong token", "not-the-token-at-all-0123456789", 'Bearer realm="greenlight", error="invalid_token"'],
    ["a token one character short", TOKEN.slice(0, -1), 'Bearer realm="greenlight", error="invalid_token"'],
    ["no token", null, 'Bearer realm="greenlight"'],
  ])("answers 401 to %s, with WWW-Authenticate", async (_name, token, challenge) => {
    const before = await counts();
    const response = await post(payload(), { token });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(challenge);
    expect(await counts()).toEqual(before);
  });

  it("refuses another authorization scheme", async () => {
    const request = new Request(`http://127.0.0.1${ALERTMANAGER_WEBHOOK_PATH}`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
      body: JSON.stringify(payload()),
    });
    expect((await handleAlertmanagerWebhook(request, config)).status).toBe(401);
  });

  const alert = () => firingAlert({ fingerprint: "bad0000000000001" });
  it.each<[string, { body?: unknown; raw?: string }, RegExp]>([
    ["a body that is not JSON", { raw: '{"version": "4", ' }, /not JSON/],
    ["an empty body", { raw: "" }, /not JSON/],
    ["another payload version", { body: { ...notification([alert()]), version: "3" } }, /version: must be "4"/],
    ["no alerts", { body: notification([]) }, /alerts: must hold at least one alert/],
    [
      "a start time that is not RFC 3339",
      { body: notification([{ ...alert(), startsAt: "yesterday" }]) },
      /alerts\.0\.startsAt: must be an RFC 3339 time/,
    ],
    [
      "an alert status Alertmanager never sends",
      { body: notification([{ ...alert(), status: "pending" as "firing" }]) },
      /alerts\.0\.status: must be "firing" or "resolved"/,
    ],
    [
      "an alert without a fingerprint",
      { body: notification([{ ...alert(), fingerprint: undefined as unknown as string }]) },
      /alerts\.0\.fingerprint: is required/,
    ],
    [
      "labels that are not strings",
      { body: notification([{ ...alert(), labels: { service: 1 } as unknown as Record<string, string> }]) },
      /alerts\.0\.labels\.service/,
    ],
    ["a JSON array", { body: [alert()] }, /\(body\)/],
    [
      `more than ${MAX_ALERTS_PER_NOTIFICATION} alerts`,
      {
        body: notification(
          Array.from({ length: MAX_ALERTS_PER_NOTIFICATION + 1 }, (_, i) =>
            firingAlert({ fingerprint: `ca9${i.toString(16).padStart(13, "0")}` }),
          ),
        ),
      },
      /alerts: must hold at most 500 alerts .*group_by.*max_alerts/,
    ],
  ])("answers 400 to %s, with the reason", async (_name, input, reason) => {
    const before = await counts();
    const response = await post(input.body, { raw: input.raw });
    expect(response.status).toBe(400);
    const answer = await read(response);
    expect(answer.error).toMatch(reason);
    expect(await counts()).toEqual(before);
  });

  it("gives each schema problem its path", async () => {
    const response = await post({ version: "4", alerts: [{ status: "firing" }] });
    const answer = await read(response);
    expect(answer.issues?.map((i) => i.path)).toEqual(
      expect.arrayContaining(["groupKey", "status", "receiver", "alerts.0.labels", "alerts.0.startsAt"]),
    );
  });

  it("answers 413 to a body over the limit, declared or not", async () => {
    const before = await counts();
    const big = notification([
      firingAlert({ fingerprint: "big0000000000001", annotations: { description: "x".repeat(2048) } }),
    ]);
    expect((await post(big, { cfg: { ...config, maxBytes: 1024 } })).status).toBe(413);
    // Streamed without a Content-Length: counted while read.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        controller.close();
      },
    });
    const request = new Request(`http://127.0.0.1${ALERTMANAGER_WEBHOOK_PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    expect((await handleAlertmanagerWebhook(request, { ...config, maxBytes: 1024 })).status).toBe(413);
    expect(await counts()).toEqual(before);
  });
});

describe("POST /api/alerts/alertmanager: alerts become incidents", () => {
  const startsAt = new Date("2026-12-04T10:00:00.123Z");
  const fingerprint = "c0ffee0000000001";
  let incidentId: string;
  let causeRunId: string;
  let causeReleaseId: string;

  it("opens one incident for a firing alert, linked to the last deploy within the window", async () => {
    const { staging } = f;
    // Too early (61 min before), a dry run, one after the alert started, and two that never reached
    // users: none is the cause.
    await deployAt(ids.checkout, staging.id, new Date(startsAt.getTime() - minutes(61)));
    const cause = await deployAt(ids.checkout, staging.id, new Date(startsAt.getTime() - minutes(20)));
    await deployAt(ids.checkout, staging.id, new Date(startsAt.getTime() - minutes(5)), { dryRun: true });
    // Closer to the alert, but they never served traffic: aborted, and failed before the switch.
    await deployAt(ids.checkout, staging.id, new Date(startsAt.getTime() - minutes(10)), { status: "ABORTED" });
    await deployAt(ids.checkout, staging.id, new Date(startsAt.getTime() - minutes(8)), { status: "FAILED" });
    await deployAt(ids.checkout, staging.id, new Date(startsAt.getTime() + minutes(1)));
    // Another environment's deploy is not this one's cause.
    await deployAt(ids.checkout, f.production.id, new Date(startsAt.getTime() - minutes(2)));
    causeRunId = cause.run.id;
    causeReleaseId = cause.release.id;

    const before = await counts();
    const response = await post(notification([firingAlert({ fingerprint, startsAt: startsAt.toISOString() })]));
    expect(response.status).toBe(200);
    const { results } = await read(response);
    expect(results).toEqual([
      expect.objectContaining({ fingerprint, outcome: "opened", causeRunId, incidentId: expect.any(String) }),
    ]);
    incidentId = results[0].incidentId!;

    const incident = await f.db.incident.findUniqueOrThrow({
      where: { id: incidentId },
      include: { alerts: true, runs: true, events: { orderBy: { id: "asc" } } },
    });
    expect(incident).toMatchObject({
      source: "ALERTMANAGER",
      status: "INVESTIGATING",
      severity: "P1", // severity="critical"
      title: "Checkout answers 12% of requests with 5xx",
      summary: "More than 5% of checkout's requests in staging failed over the last minute.",
      serviceId: ids.checkout,
      environmentId: staging.id,
      releaseId: causeReleaseId,
      acknowledgedAt: null,
    });
    expect(incident.alerts).toEqual([
      expect.objectContaining({ fingerprint, alertname: "HighErrorRate", state: "FIRING", notifications: 1, startsAt }),
    ]);
    expect(incident.runs).toEqual([expect.objectContaining({ runId: causeRunId, relation: "cause" })]);
    expect(incident.events.map((e) => [e.kind, e.step])).toEqual([
      ["ALERT", "DETECT"],
      ["LINK", "ASSESS"],
    ]);
    expect(incident.events[0]).toMatchObject({ alertId: incident.alerts[0].id, actorId: null });
    expect(incident.events[0].message).toMatch(/HighErrorRate firing since 2026-12-04 10:00:00 UTC/);
    expect(incident.events[1]).toMatchObject({ runId: causeRunId });
    expect(incident.events[1].message).toMatch(/registry\.example\.com\/shop\/app:.*20 min before the alert/);
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { targetId: incidentId, action: "incident.open" } });
    expect(audit).toMatchObject({ actorId: null, actorLabel: "Alertmanager" });
    expect(await counts()).toEqual({
      incidents: before.incidents + 1,
      alerts: before.alerts + 1,
      events: before.events + 2,
      links: before.links + 1,
      audit: before.audit + 1,
    });
  });

  it("does not duplicate on the same notification again: it counts it on the timeline", async () => {
    const before = await counts();
    const response = await post(notification([firingAlert({ fingerprint, startsAt: startsAt.toISOString() })]));
    expect(response.status).toBe(200);
    expect((await read(response)).results).toEqual([expect.objectContaining({ outcome: "updated", incidentId })]);
    expect(await counts()).toEqual({ ...before, events: before.events + 1, audit: before.audit + 1 });
    const alert = await f.db.incidentAlert.findFirstOrThrow({ where: { fingerprint } });
    expect(alert).toMatchObject({ incidentId, notifications: 2, state: "FIRING" });
    const last = await f.db.incidentEvent.findFirstOrThrow({ where: { incidentId }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ kind: "ALERT", step: "DETECT", alertId: alert.id });
    expect(last.message).toBe("HighErrorRate still firing (notification 2)");
  });

  it("attaches another alert of the same service and environment to the open incident", async () => {
    const other = firingAlert({
      fingerprint: "c0ffee0000000002",
      labels: { alertname: "HighLatency", service: "checkout", environment: "staging", severity: "warning" },
      startsAt: startsAt.toISOString(),
    });
    const { results } = await read(await post(notification([other])));
    expect(results).toEqual([expect.objectContaining({ outcome: "attached", incidentId })]);
    expect(await f.db.incident.count({ where: { serviceId: ids.checkout, environmentId: f.staging.id } })).toBe(1);
    expect(await f.db.incidentAlert.count({ where: { incidentId } })).toBe(2);
  });

  it("closes the alert's entry when it resolves, and leaves the incident open", async () => {
    const endsAt = new Date(startsAt.getTime() + minutes(7));
    const resolved = firingAlert({
      fingerprint,
      status: "resolved",
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
    });
    const { results } = await read(await post(notification([resolved])));
    expect(results).toEqual([expect.objectContaining({ outcome: "resolved", incidentId })]);
    const alert = await f.db.incidentAlert.findFirstOrThrow({ where: { fingerprint } });
    expect(alert).toMatchObject({ state: "RESOLVED", endsAt, notifications: 3 });
    const incident = await f.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
    expect(incident).toMatchObject({ status: "INVESTIGATING", resolvedAt: null });
    const last = await f.db.incidentEvent.findFirstOrThrow({ where: { incidentId }, orderBy: { id: "desc" } });
    expect(last).toMatchObject({ kind: "ALERT_RESOLVED", step: "VERIFY", alertId: alert.id });
    expect(last.message).toMatch(/HighErrorRate resolved at 2026-12-04 10:07:00 UTC \(notification 3\)/);
  });

  it("counts a late firing notification of the instance that resolved without reopening it", async () => {
    // Alertmanager retried an earlier delivery, or another replica sent it after the resolve.
    const before = await counts();
    const { results } = await read(
      await post(notification([firingAlert({ fingerprint, startsAt: startsAt.toISOString() })])),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "updated", incidentId })]);
    expect(results[0].message).not.toMatch(/firing again/);
    expect(results[0].message).toMatch(/HighErrorRate still resolved: a late firing notification/);
    expect(await f.db.incidentAlert.findFirstOrThrow({ where: { fingerprint } })).toMatchObject({
      state: "RESOLVED",
      startsAt,
      endsAt: new Date(startsAt.getTime() + minutes(7)),
      notifications: 4,
    });
    expect(await counts()).toEqual({ ...before, events: before.events + 1, audit: before.audit + 1 });
  });

  it("counts a firing alert again on the same incident after it resolved", async () => {
    const again = new Date(startsAt.getTime() + minutes(30));
    const { results } = await read(
      await post(notification([firingAlert({ fingerprint, startsAt: again.toISOString() })])),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "updated", incidentId })]);
    expect(await f.db.incidentAlert.findFirstOrThrow({ where: { fingerprint } })).toMatchObject({
      state: "FIRING",
      endsAt: null,
      startsAt: again,
      notifications: 5,
    });
  });

  it("ignores a late resolve of the earlier instance while the new one fires", async () => {
    const before = await counts();
    const stale = firingAlert({
      fingerprint,
      status: "resolved",
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + minutes(7)).toISOString(),
    });
    const { results } = await read(await post(notification([stale])));
    expect(results).toEqual([expect.objectContaining({ outcome: "ignored", incidentId })]);
    expect(await f.db.incidentAlert.findFirstOrThrow({ where: { fingerprint } })).toMatchObject({
      state: "FIRING",
      endsAt: null,
      startsAt: new Date(startsAt.getTime() + minutes(30)),
      notifications: 5,
    });
    expect(await counts()).toEqual(before);
  });

  it("opens a new incident once a person has resolved the previous one", async () => {
    await f.db.incident.update({
      where: { id: incidentId },
      data: { status: "RESOLVED", resolvedAt: new Date(), resolution: "Rolled back." },
    });
    const { results } = await read(
      await post(notification([firingAlert({ fingerprint, startsAt: new Date().toISOString() })])),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "opened" })]);
    expect(results[0].incidentId).not.toBe(incidentId);
  });

  it("reports an alert that matches no target and stores nothing", async () => {
    const before = await counts();
    const stray = firingAlert({
      fingerprint: "5742a70000000001",
      labels: { alertname: "DiskFull", service: "ledger", environment: "production" },
    });
    const known = firingAlert({
      fingerprint: "5742a70000000002",
      labels: { alertname: "HighErrorRate", service: "catalog", environment: "staging" },
    });
    const response = await post(notification([stray, known]));
    expect(response.status).toBe(200);
    const { results } = await read(response);
    expect(results.map((r) => [r.fingerprint, r.outcome])).toEqual([
      ["5742a70000000001", "unmatched"],
      ["5742a70000000002", "opened"],
    ]);
    expect(results[0].message).toMatch(/No service target matches/);
    expect(await f.db.incidentAlert.count({ where: { fingerprint: "5742a70000000001" } })).toBe(0);
    expect((await counts()).incidents).toBe(before.incidents + 1);
  });

  it("ignores a resolved alert no open incident holds", async () => {
    const before = await counts();
    const { results } = await read(
      await post(
        notification([
          firingAlert({
            fingerprint: "1940e00000000001",
            status: "resolved",
            endsAt: new Date().toISOString(),
            labels: { alertname: "HighErrorRate", service: "search", environment: "staging" },
          }),
        ]),
      ),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "ignored" })]);
    expect(await counts()).toEqual(before);
  });

  it("uses the default severity for an unknown label value, and links no deploy outside the window", async () => {
    const alertStart = new Date(Date.now() - minutes(1));
    await deployAt(ids.search, f.staging.id, new Date(alertStart.getTime() - minutes(90)));
    const { results } = await read(
      await post(
        notification([
          firingAlert({
            fingerprint: "de1a000000000001",
            startsAt: alertStart.toISOString(),
            labels: { alertname: "SlowSearch", service: "search", environment: "staging", severity: "page" },
            annotations: {},
          }),
        ]),
        { cfg: { ...config, ingest: { ...config.ingest, defaultSeverity: "P4" } } },
      ),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "opened" })]);
    expect(results[0].causeRunId).toBeUndefined();
    const incident = await f.db.incident.findUniqueOrThrow({
      where: { id: results[0].incidentId },
      include: { runs: true, events: true },
    });
    expect(incident).toMatchObject({ severity: "P4", title: "SlowSearch", summary: "", releaseId: null });
    expect(incident.runs).toEqual([]);
    expect(incident.events.map((e) => e.kind)).toEqual(["ALERT"]);
  });

  it("matches by a target's configured alert matchers instead of the defaults", async () => {
    await f.db.serviceTarget.update({
      where: { serviceId_environmentId: { serviceId: ids.search, environmentId: f.production.id } },
      data: { alertMatchers: { app: "search", namespace: "shop-production" } },
    });
    const byDefaults = firingAlert({
      fingerprint: "3a7c000000000001",
      labels: { alertname: "X", service: "search", environment: "production" },
    });
    const byMatchers = firingAlert({
      fingerprint: "3a7c000000000002",
      labels: { alertname: "X", app: "search", namespace: "shop-production", pod: "search-7d9" },
    });
    const { results } = await read(await post(notification([byDefaults, byMatchers])));
    expect(results.map((r) => r.outcome)).toEqual(["unmatched", "opened"]);
    const incident = await f.db.incident.findUniqueOrThrow({ where: { id: results[1].incidentId } });
    expect(incident).toMatchObject({ serviceId: ids.search, environmentId: f.production.id });
    await f.db.serviceTarget.update({
      where: { serviceId_environmentId: { serviceId: ids.search, environmentId: f.production.id } },
      data: { alertMatchers: {} },
    });
  });

  it("opens one incident when the same notification arrives several times at once", async () => {
    const burst = notification([
      firingAlert({
        fingerprint: "b0b0000000000001",
        labels: { alertname: "HighErrorRate", service: "catalog", environment: "production", severity: "high" },
      }),
    ]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(burst)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const outcomes = (await Promise.all(answers.map(read))).map((a) => a.results[0].outcome).sort();
    expect(outcomes).toEqual(["opened", "updated", "updated", "updated", "updated"]);
    const incidents = await f.db.incident.findMany({
      where: { serviceId: ids.catalog, environmentId: f.production.id },
      include: { alerts: true, events: true },
    });
    expect(incidents).toHaveLength(1);
    expect(incidents[0].severity).toBe("P2");
    expect(incidents[0].alerts).toEqual([expect.objectContaining({ notifications: 5 })]);
    // One entry per notification.
    expect(incidents[0].events.filter((e) => e.kind === "ALERT")).toHaveLength(5);
  });

  it("reads each alert against what the alerts before it in the same notification did", async () => {
    const labels = { alertname: "Batch", service: "checkout", environment: "production" };
    const { results } = await read(
      await post(
        notification([
          firingAlert({ fingerprint: "ba7c000000000001", labels }),
          firingAlert({ fingerprint: "ba7c000000000002", labels: { ...labels, pod: "checkout-2" } }),
          firingAlert({ fingerprint: "ba7c000000000001", labels }),
        ]),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(["opened", "attached", "updated"]);
    expect(new Set(results.map((r) => r.incidentId)).size).toBe(1);
    expect(await f.db.incidentAlert.findFirstOrThrow({ where: { fingerprint: "ba7c000000000001" } })).toMatchObject({
      notifications: 2,
    });
  });

  it("is what the Next route answers, configured from the environment", async () => {
    const { POST } = await import("@/app/api/alerts/alertmanager/route");
    const body = notification([
      firingAlert({
        fingerprint: "40e7e00000000001",
        labels: { alertname: "RouteCheck", service: "catalog", environment: "production" },
      }),
    ]);
    const unauthorized = await POST(
      new Request(`http://127.0.0.1${ALERTMANAGER_WEBHOOK_PATH}`, { method: "POST", body: JSON.stringify(body) }),
    );
    expect(unauthorized.status).toBe(401);
    const ok = await POST(
      new Request(`http://127.0.0.1${ALERTMANAGER_WEBHOOK_PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      }),
    );
    expect(ok.status).toBe(200);
    // catalog/production already has an open incident (above): the alert joins it.
    expect((await read(ok)).results).toEqual([expect.objectContaining({ outcome: "attached" })]);
  });
});

// ---------------------------------------------------------------------------------------------
// With the real binaries: Debian's prometheus fires a rule, Debian's prometheus-alertmanager
// routes it to the webhook's handler, which records it in this file's database.
// ---------------------------------------------------------------------------------------------

const exec = promisify(execFile);
const haveBinaries = Boolean(findAlertmanager() && findPrometheus());
const mustRun =
  process.env.CI === "true" ||
  process.env.REQUIRE_REAL_ALERTMANAGER === "1" ||
  process.env.REQUIRE_REAL_ALERTMANAGER === "true";
if (!haveBinaries && !mustRun)
  console.warn(
    "[alertmanager.test] skipping the real Prometheus → Alertmanager → webhook tests: install Debian's prometheus and prometheus-alertmanager (npm test does), or set REQUIRE_REAL_ALERTMANAGER=1 to make their absence fail",
  );

describe.skipIf(!haveBinaries && !mustRun)("with a real Prometheus and Alertmanager", () => {
  let dir: string;
  let webhook: HandlerServer;
  let alertmanager: LocalAlertmanager;
  let prometheus: LocalPrometheus;

  beforeAll(async () => {
    if (!haveBinaries)
      throw new Error(
        "prometheus and prometheus-alertmanager must be installed (CI or REQUIRE_REAL_ALERTMANAGER is set): apt-get install -y --no-install-recommends prometheus prometheus-alertmanager",
      );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-alertmanager-"));
    fs.chmodSync(dir, 0o755);
    // The webhook's handler on a loopback server, against this file's database; also serves
    // Prometheus an empty target list (this test scrapes nothing, its rule needs no series).
    webhook = await serveHandler(async (request) =>
      new URL(request.url).pathname === ALERTMANAGER_WEBHOOK_PATH
        ? handleAlertmanagerWebhook(request, config)
        : Response.json([]),
    );
    alertmanager = await startLocalAlertmanager({
      dataDir: path.join(dir, "alertmanager"),
      port: await freePort(),
      webhookUrl: `${webhook.url}${ALERTMANAGER_WEBHOOK_PATH}`,
      token: TOKEN,
      groupWait: "1s",
      groupInterval: "1s",
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await webhook?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("accepts the configuration Greenlight writes (amtool) and the demo rule (promtool)", async () => {
    const amConfig = path.join(dir, "check-alertmanager.yml");
    fs.writeFileSync(
      amConfig,
      alertmanagerConfig({
        webhookUrl: "http://127.0.0.1:3000/api/alerts/alertmanager",
        credentialsFile: "/tmp/token",
      }),
    );
    await exec("amtool", ["check-config", amConfig]);
    const rules = path.join(dir, "demo-rules.yml");
    fs.writeFileSync(rules, demoAlertRules());
    await exec("promtool", ["check", "rules", rules]);
  });

  it("fires the demo rule on a demo service answering 20% 5xx, with the labels its target matches, after 30 s", async () => {
    const rules = path.join(dir, "demo-rules-under-test.yml");
    fs.writeFileSync(rules, demoAlertRules());
    const series = (app: string, status: string, perStep: number) =>
      `      - series: 'http_requests_total{app="${app}",namespace="shop-staging",pod="${app}-1",status="${status}"}'\n        values: '0+${perStep}x60'`;
    const test = path.join(dir, "demo-rules.test.yml");
    fs.writeFileSync(
      test,
      [
        "rule_files:",
        `  - ${JSON.stringify(rules)}`,
        "evaluation_interval: 5s",
        "tests:",
        "  - interval: 5s",
        "    input_series:",
        series("checkout", "200", 40),
        series("checkout", "500", 5),
        series("checkout", "503", 5),
        series("search", "200", 99),
        series("search", "500", 1),
        "    alert_rule_test:",
        "      - eval_time: 20s",
        `        alertname: ${DEMO_ALERT_NAME}`,
        "        exp_alerts: []",
        "      - eval_time: 2m",
        `        alertname: ${DEMO_ALERT_NAME}`,
        "        exp_alerts:",
        "          - exp_labels:",
        "              severity: high",
        "              app: checkout",
        "              namespace: shop-staging",
        "              service: checkout",
        "              environment: staging",
        "            exp_annotations:",
        '              summary: "checkout in staging answers 20% of requests with 5xx"',
        `              description: "More than 5% of checkout's requests in staging failed (5xx) over the last minute, for 30 s."`,
        "",
      ].join("\n"),
    );
    const { stdout } = await exec("promtool", ["test", "rules", test]).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool test rules failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
      },
    );
    expect(stdout).toMatch(/SUCCESS/);
  });

  it("opens an incident from a rule Prometheus fires, routed by Alertmanager, linked to the last deploy", async () => {
    // A service of its own, so no incident left open by the tests above absorbs the alert.
    const service = await f.db.service.create({
      data: {
        name: "pager",
        displayName: "Pager",
        targets: {
          create: {
            environmentId: f.production.id,
            cluster: "sandbox",
            namespace: "shop-production",
            deploymentName: "pager",
            kubeServiceName: "pager",
          },
        },
      },
    });
    const deploy = await deployAt(service.id, f.production.id, new Date(Date.now() - minutes(5)));
    const rules = path.join(dir, "fire-now.yml");
    fs.writeFileSync(
      rules,
      [
        "groups:",
        "  - name: greenlight-test",
        "    rules:",
        "      - alert: GreenlightTestAlwaysFiring",
        "        expr: vector(1)",
        // Firing at the very first evaluation would race Prometheus finding its Alertmanager: the
        // notification is dropped, and the next one waits for the resend delay (a minute).
        "        for: 5s",
        "        labels:",
        "          service: pager",
        "          environment: production",
        "          severity: warning",
        "        annotations:",
        "          summary: Pager in production is on fire (test rule)",
        "",
      ].join("\n"),
    );
    prometheus = await startLocalPrometheus({
      dataDir: path.join(dir, "prometheus"),
      port: await freePort(),
      targetsUrl: `${webhook.url}/targets`,
      scrapeIntervalSeconds: 1,
      ruleFiles: [rules],
      alertmanagers: [alertmanager.address],
    });
    const found = () =>
      f.db.incident.findFirst({
        where: { source: "ALERTMANAGER", title: "Pager in production is on fire (test rule)" },
        include: { alerts: true, runs: true, events: true },
      });
    await waitFor(async () => (await found()) !== null, 60_000, 250);
    const incident = (await found())!;
    expect(incident).toMatchObject({
      severity: "P3",
      serviceId: service.id,
      environmentId: f.production.id,
      releaseId: deploy.release.id,
      status: "INVESTIGATING",
    });
    expect(incident.alerts).toEqual([
      expect.objectContaining({
        alertname: "GreenlightTestAlwaysFiring",
        state: "FIRING",
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        generatorUrl: expect.stringContaining("/graph?g0.expr=vector"),
      }),
    ]);
    expect(incident.runs).toEqual([expect.objectContaining({ runId: deploy.run.id, relation: "cause" })]);
    expect(incident.events.map((e) => e.kind).sort()).toEqual(["ALERT", "LINK"]);
    // Alertmanager presented the token from its credentials file: nothing was refused.
    expect(webhook.answered.filter((s) => s !== 200)).toEqual([]);
  }, 90_000);
});
