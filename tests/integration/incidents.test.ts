import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { CurrentUser } from "@/lib/auth/current-user";
import { requestDeploy, requestRollback } from "@/lib/deploy/commands/requests";
import { finishRun } from "@/lib/deploy/engine/finish";
import { AppError } from "@/lib/errors";
import { openIncident } from "@/lib/incidents/open-incident";
import { addActionItem, completeActionItem, savePostmortem } from "@/lib/incidents/postmortem";
import { incidentDetail, listIncidents } from "@/lib/incidents/queries";
import {
  acknowledgeIncident,
  addIncidentNote,
  changeIncidentSeverity,
  changeIncidentStatus,
  linkIncidentRun,
  reopenIncident,
  resolveIncident,
  setIncidentCommander,
} from "@/lib/incidents/respond";
import { recordRunActivity } from "@/lib/incidents/run-activity";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
});

/** A service of this test's own, set up in staging, so nothing else's runs or incidents touch it. */
async function service() {
  const suffix = randomBytes(3).toString("hex");
  return f.db.service.create({
    data: {
      name: `inc-${suffix}`,
      displayName: `Inc ${suffix}`,
      targets: {
        create: {
          environmentId: f.staging.id,
          cluster: "nowhere",
          namespace: "shop",
          deploymentName: "web",
          kubeServiceName: "web",
          defaultStrategy: "ROLLING",
        },
      },
    },
  });
}

function open(person: CurrentUser, change: Partial<Parameters<typeof openIncident>[1]> = {}) {
  return openIncident(person, { title: "Checkout errors", severity: "P2", summary: "5xx on pay", ...change });
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const events = (incidentId: string) => f.db.incidentEvent.findMany({ where: { incidentId }, orderBy: { id: "asc" } });
const audit = (incidentId: string, action: string) =>
  f.db.auditLog.count({ where: { targetType: "incident", targetId: incidentId, action } });

/** A deploy run of `serviceId` in staging that finished `minutesAgo` ago. */
function finishedDeploy(serviceId: string, minutesAgo: number) {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  return f.db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status: "SUCCEEDED",
      serviceId,
      environmentId: f.staging.id,
      strategy: "ROLLING",
      toImage: `registry.example.com/web:${minutesAgo}`,
      startedAt: at,
      finishedAt: at,
      createdAt: at,
    },
  });
}

/** Ends a queued run as a worker holding its lease would. */
async function finish(runId: string, status: "SUCCEEDED" | "FAILED", outcome: string) {
  await f.db.deploymentRun.update({ where: { id: runId }, data: { leaseOwner: "test", status: "RUNNING" } });
  expect(await finishRun(runId, "test", status, outcome, { verify: null, autoRollback: false })).toBe("finished");
}

describe("declaring an incident", () => {
  it("opens it investigating with a DETECT entry, an audit entry, and the last deploy as its cause when asked", async () => {
    const svc = await service();
    await finishedDeploy(svc.id, 90);
    const recent = await finishedDeploy(svc.id, 20);
    const incident = await open(f.onCall, { serviceId: svc.id, environmentId: f.staging.id, linkLastDeploy: true });
    expect(incident).toMatchObject({
      status: "INVESTIGATING",
      severity: "P2",
      source: "MANUAL",
      openedById: f.onCall.id,
      acknowledgedAt: null,
    });
    expect((await events(incident.id)).map((e) => [e.kind, e.step, e.actorId])).toEqual([
      ["DETECT", "DETECT", f.onCall.id],
      ["LINK", "ASSESS", f.onCall.id],
    ]);
    const links = await f.db.incidentRun.findMany({ where: { incidentId: incident.id } });
    expect(links.map((l) => [l.runId, l.relation])).toEqual([[recent.id, "cause"]]);
    expect(await audit(incident.id, "incident.open")).toBe(1);
  });

  it("links nothing unless asked, and refuses to link when no deploy finished within the hour", async () => {
    const svc = await service();
    await finishedDeploy(svc.id, 61);
    const plain = await open(f.releaseManager, { serviceId: svc.id, environmentId: f.staging.id });
    expect(await f.db.incidentRun.count({ where: { incidentId: plain.id } })).toBe(0);
    const error = await refusal(
      open(f.onCall, { serviceId: svc.id, environmentId: f.staging.id, linkLastDeploy: true }),
    );
    expect(error.message).toMatch(/No deploy of that service to that environment finished in the last 60 minutes/);
  });

  it("is refused to a viewer and to an approver", async () => {
    const before = await f.db.incident.count();
    expect((await refusal(open(f.viewer))).code).toBe("FORBIDDEN");
    expect((await refusal(open({ ...f.viewer, roles: ["CTO"] }))).message).toBe(
      "Only an on-call engineer, release manager or admin can declare an incident.",
    );
    expect(await f.db.incident.count()).toBe(before);
  });
});

describe("working an incident", () => {
  it("acknowledges once: the first person takes command, a second is told who was first", async () => {
    const incident = await open(f.onCall);
    const results = await Promise.allSettled([
      acknowledgeIncident(f.onCall, incident.id),
      acknowledgeIncident(f.admin, incident.id),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(AppError);
    expect((lost.reason as AppError).message).toMatch(
      /^(Omar Haddad|Ada Admin) already acknowledged this incident at \d\d:\d\d UTC\.$/,
    );
    const stored = await f.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(stored.acknowledgedAt).not.toBeNull();
    expect(stored.commanderId).toBe(stored.acknowledgedById);
    expect((await events(incident.id)).map((e) => e.kind)).toEqual(["DETECT", "ACKNOWLEDGE", "COMMANDER_CHANGE"]);
    expect(await audit(incident.id, "incident.acknowledge")).toBe(1);
    // A later press is refused the same way.
    expect((await refusal(acknowledgeIncident(f.releaseManager, incident.id))).code).toBe("CONFLICT");
  });

  it("changes status, severity and commander with who and old → new on the timeline", async () => {
    const incident = await open(f.onCall, { severity: "P3" });
    await changeIncidentStatus(f.onCall, incident.id, "IDENTIFIED");
    const monitoring = await changeIncidentStatus(f.onCall, incident.id, "MONITORING");
    expect(monitoring.restoredAt).not.toBeNull();
    // Back to identified and on to monitoring again: restored stays the first time.
    await changeIncidentStatus(f.onCall, incident.id, "IDENTIFIED");
    const again = await changeIncidentStatus(f.onCall, incident.id, "MONITORING");
    expect(again.restoredAt).toEqual(monitoring.restoredAt);
    await changeIncidentSeverity(f.releaseManager, incident.id, "P1");
    await setIncidentCommander(f.admin, incident.id, f.viewer.id);

    const timeline = await events(incident.id);
    expect(timeline.slice(1).map((e) => [e.kind, e.actorId, e.data])).toEqual([
      ["STATUS_CHANGE", f.onCall.id, { from: "INVESTIGATING", to: "IDENTIFIED" }],
      [
        "STATUS_CHANGE",
        f.onCall.id,
        { from: "IDENTIFIED", to: "MONITORING", restoredAt: monitoring.restoredAt?.toISOString() },
      ],
      ["STATUS_CHANGE", f.onCall.id, { from: "MONITORING", to: "IDENTIFIED" }],
      ["STATUS_CHANGE", f.onCall.id, { from: "IDENTIFIED", to: "MONITORING" }],
      ["SEVERITY_CHANGE", f.releaseManager.id, { from: "P3", to: "P1" }],
      ["COMMANDER_CHANGE", f.admin.id, { from: null, to: f.viewer.id, fromName: "nobody", toName: "Vera Lind" }],
    ]);
    expect(timeline.at(-1)?.message).toBe("Ada Admin handed command from nobody to Vera Lind");
    expect(await audit(incident.id, "incident.status")).toBe(4);
    expect(await audit(incident.id, "incident.severity")).toBe(1);
    expect(await audit(incident.id, "incident.commander")).toBe(1);
  });

  it("refuses bad moves: resolved through the status select, the same status, a commander without a role", async () => {
    const incident = await open(f.onCall);
    expect((await refusal(changeIncidentStatus(f.onCall, incident.id, "RESOLVED"))).message).toBe(
      "Resolve the incident with a summary of what happened.",
    );
    expect((await refusal(changeIncidentStatus(f.onCall, incident.id, "INVESTIGATING"))).message).toBe(
      "The incident is already investigating.",
    );
    expect((await refusal(changeIncidentSeverity(f.onCall, incident.id, "P2"))).code).toBe("CONFLICT");
    const nobody = await f.db.user.create({
      data: { email: `nobody-${randomBytes(3).toString("hex")}@x.test`, name: "No Role" },
    });
    expect((await refusal(setIncidentCommander(f.onCall, incident.id, nobody.id))).code).toBe("INVALID");
    expect((await refusal(changeIncidentStatus(f.viewer, incident.id, "IDENTIFIED"))).code).toBe("FORBIDDEN");
    expect((await refusal(acknowledgeIncident(f.viewer, incident.id))).code).toBe("FORBIDDEN");
    expect((await refusal(addIncidentNote(f.viewer, { incidentId: incident.id, text: "hi" }))).code).toBe("FORBIDDEN");
    expect((await refusal(changeIncidentStatus(f.onCall, "nosuchincident", "IDENTIFIED"))).code).toBe("NOT_FOUND");
    expect((await events(incident.id)).map((e) => e.kind)).toEqual(["DETECT"]);
  });

  it("files notes under the chosen step, COMMUNICATE by default, and links runs once", async () => {
    const svc = await service();
    const incident = await open(f.onCall, { serviceId: svc.id, environmentId: f.staging.id });
    await addIncidentNote(f.onCall, { incidentId: incident.id, text: "Status page updated" });
    await addIncidentNote(f.onCall, { incidentId: incident.id, text: "Pods crashlooping", step: "ASSESS" });
    const run = await finishedDeploy(svc.id, 5);
    await linkIncidentRun(f.onCall, { incidentId: incident.id, runId: run.id, relation: "cause" });
    expect(
      (await refusal(linkIncidentRun(f.onCall, { incidentId: incident.id, runId: run.id, relation: "remedy" }))).code,
    ).toBe("CONFLICT");
    const timeline = await events(incident.id);
    expect(timeline.slice(1).map((e) => [e.kind, e.step, e.message.slice(0, 30)])).toEqual([
      ["NOTE", "COMMUNICATE", "Status page updated"],
      ["NOTE", "ASSESS", "Pods crashlooping"],
      ["LINK", "ASSESS", expect.stringMatching(/^Omar Haddad linked the deploy/)],
    ]);
    expect(await audit(incident.id, "incident.note")).toBe(2);
  });

  it("resolves only with a summary, acknowledging and restoring if nobody had; reopens to investigating", async () => {
    const incident = await open(f.onCall);
    const short = await refusal(resolveIncident(f.onCall, { incidentId: incident.id, resolution: "  fixed  " }));
    expect(short.code).toBe("INVALID");
    expect(short.fieldErrors?.resolution).toBeDefined();
    expect(
      (await refusal(resolveIncident(f.viewer, { incidentId: incident.id, resolution: "Rolled back 1.5.0." }))).code,
    ).toBe("FORBIDDEN");

    const resolved = await resolveIncident(f.releaseManager, {
      incidentId: incident.id,
      resolution: "Rolled back to 1.4.2; payments recovered.",
    });
    expect(resolved).toMatchObject({
      status: "RESOLVED",
      resolvedById: f.releaseManager.id,
      acknowledgedById: f.releaseManager.id,
      commanderId: f.releaseManager.id,
      resolution: "Rolled back to 1.4.2; payments recovered.",
    });
    expect(resolved.restoredAt).toEqual(resolved.resolvedAt);
    expect(
      (await refusal(resolveIncident(f.onCall, { incidentId: incident.id, resolution: "Again and again." }))).message,
    ).toMatch(/^Riley Morgan already resolved this incident at \d\d:\d\d UTC\.$/);
    expect((await refusal(changeIncidentStatus(f.onCall, incident.id, "MONITORING"))).message).toBe(
      "A resolved incident can only be reopened as investigating.",
    );

    const reopened = await reopenIncident(f.onCall, incident.id);
    expect(reopened).toMatchObject({ status: "INVESTIGATING", resolvedAt: null, resolution: null, restoredAt: null });
    expect((await refusal(reopenIncident(f.onCall, incident.id))).message).toBe("The incident is still open.");
    expect((await events(incident.id)).map((e) => [e.kind, (e.data as { to?: string } | null)?.to ?? null])).toEqual([
      ["DETECT", null],
      ["ACKNOWLEDGE", null],
      ["STATUS_CHANGE", "RESOLVED"],
      ["STATUS_CHANGE", "INVESTIGATING"],
    ]);
    expect(await audit(incident.id, "incident.resolve")).toBe(1);
    expect(await audit(incident.id, "incident.reopen")).toBe(1);
  });
});

describe("the postmortem", () => {
  it("is written for P1/P2 with action items that have owners and are done once", async () => {
    const incident = await open(f.onCall, { severity: "P1" });
    await savePostmortem(f.onCall, {
      incidentId: incident.id,
      impact: "Payments failed for 12 minutes.",
      rootCause: "A missing index.",
      wentWell: "The rollback took 40 seconds.",
    });
    const item = await addActionItem(f.onCall, {
      incidentId: incident.id,
      title: "Add the index",
      ownerId: f.releaseManager.id,
      dueAt: new Date("2026-12-11T23:59:59Z"),
    });
    expect(
      (await refusal(addActionItem(f.onCall, { incidentId: incident.id, title: "x", ownerId: "nosuchperson" }))).code,
    ).toBe("INVALID");
    // Named through another incident's page, the item is not found (and nothing is marked).
    expect(
      (await refusal(completeActionItem(f.releaseManager, { itemId: item.id, incidentId: "someotherincident" }))).code,
    ).toBe("NOT_FOUND");
    await completeActionItem(f.releaseManager, { itemId: item.id, incidentId: incident.id });
    expect(
      (await refusal(completeActionItem(f.releaseManager, { itemId: item.id, incidentId: incident.id }))).message,
    ).toBe("That action item is already done.");
    const stored = await f.db.incident.findUniqueOrThrow({
      where: { id: incident.id },
      include: { actionItems: true },
    });
    expect(stored).toMatchObject({ impact: "Payments failed for 12 minutes.", rootCause: "A missing index." });
    expect(stored.actionItems).toEqual([
      expect.objectContaining({ ownerId: f.releaseManager.id, doneAt: expect.any(Date) }),
    ]);
    expect((await events(incident.id)).map((e) => [e.kind, e.step])).toEqual([
      ["DETECT", "DETECT"],
      ["DOCUMENT", "DOCUMENT"],
      ["REVIEW", "REVIEW"],
      ["REVIEW", "REVIEW"],
    ]);
  });

  it("is refused for P3/P4 and to viewers", async () => {
    const incident = await open(f.onCall, { severity: "P3" });
    const input = { incidentId: incident.id, impact: "a", rootCause: "b", wentWell: "c" };
    expect((await refusal(savePostmortem(f.onCall, input))).message).toBe(
      "Postmortems are written for P1 and P2 incidents; this one is P3.",
    );
    expect((await refusal(savePostmortem(f.viewer, input))).code).toBe("FORBIDDEN");
  });
});

describe("runs during an open incident", () => {
  async function release(serviceId: string, tag: string) {
    return createRelease(f.releaseManager, {
      serviceId,
      environmentId: f.staging.id,
      imageRef: `registry.example.com/shop/web:${tag}`,
      strategy: "ROLLING",
      changeSummary: `Ship ${tag}.`,
      links: [],
    });
  }
  const noCluster = () => {
    throw new Error("no cluster in this test");
  };

  it("a deploy and a rollback add their entries and are linked as remedies", async () => {
    const svc = await service();
    // Another service's incident, and a resolved one of this service, hear nothing.
    const other = await open(f.onCall, { serviceId: (await service()).id });
    const resolved = await open(f.onCall, { serviceId: svc.id });
    await resolveIncident(f.onCall, { incidentId: resolved.id, resolution: "It was nothing at all." });
    const incident = await open(f.onCall, { serviceId: svc.id, environmentId: f.staging.id });

    const deploy = await requestDeploy(f.releaseManager, (await release(svc.id, "2.0.0")).id);
    await finish(deploy.id, "SUCCEEDED", "registry.example.com/shop/web:2.0.0 is live");
    const rollback = await requestRollback(
      f.onCall,
      { serviceId: svc.id, environmentId: f.staging.id, reason: "errors up" },
      noCluster,
    );
    await finish(rollback.id, "FAILED", "the cluster did not answer");

    const timeline = await events(incident.id);
    expect(timeline.slice(1).map((e) => [e.kind, e.step, e.runId, e.actorId, e.message])).toEqual([
      [
        "DEPLOY",
        "REMEDIATE",
        deploy.id,
        f.releaseManager.id,
        "Deploy started of registry.example.com/shop/web:2.0.0 (rolling)",
      ],
      ["DEPLOY", "REMEDIATE", deploy.id, null, "Deploy succeeded: registry.example.com/shop/web:2.0.0 is live"],
      [
        "ROLLBACK",
        "REMEDIATE",
        rollback.id,
        f.onCall.id,
        expect.stringMatching(/^Rollback started .*\(rolling\): errors up$/),
      ],
      ["ROLLBACK", "REMEDIATE", rollback.id, null, "Rollback failed: the cluster did not answer"],
    ]);
    const links = await f.db.incidentRun.findMany({
      where: { incidentId: incident.id },
      orderBy: { createdAt: "asc" },
    });
    expect(links.map((l) => [l.runId, l.relation])).toEqual([
      [deploy.id, "remedy"],
      [rollback.id, "remedy"],
    ]);
    expect(await events(other.id)).toHaveLength(1);
    expect((await events(resolved.id)).map((e) => e.kind)).toEqual(["DETECT", "ACKNOWLEDGE", "STATUS_CHANGE"]);
  });

  it("writes nothing when no incident is open, and each traffic change or breach once", async () => {
    const svc = await service();
    const deploy = await requestDeploy(f.releaseManager, (await release(svc.id, "3.0.0")).id);
    await finish(deploy.id, "SUCCEEDED", "live");
    expect(await f.db.incidentEvent.count({ where: { runId: deploy.id } })).toBe(0);

    const incident = await open(f.onCall, { serviceId: svc.id });
    const run = await f.db.deploymentRun.findUniqueOrThrow({ where: { id: deploy.id } });
    const traffic = { type: "traffic" as const, step: "switch", message: "Service web switched to green" };
    expect(await recordRunActivity(f.db, run, traffic)).toEqual([incident.id]);
    expect(await recordRunActivity(f.db, run, traffic)).toEqual([]);
    expect(await recordRunActivity(f.db, run, { type: "sli-breach", why: "error rate 4 % > 0.1 %" })).toEqual([
      incident.id,
    ]);
    expect(await recordRunActivity(f.db, { ...run, dryRun: true }, { type: "started" })).toEqual([]);
    expect((await events(incident.id)).map((e) => [e.kind, e.step])).toEqual([
      ["DETECT", "DETECT"],
      ["TRAFFIC_SWITCH", "REMEDIATE"],
      ["SLI_BREACH", "DETECT"],
    ]);
    // Finished before the incident opened: no remedy link.
    expect(await f.db.incidentRun.count({ where: { incidentId: incident.id } })).toBe(0);
  });

  it("leaves an automatic rollback's own incident to auto-rollback.ts", async () => {
    const svc = await service();
    const deploy = await requestDeploy(f.releaseManager, (await release(svc.id, "4.0.0")).id);
    await f.db.deploymentRun.update({ where: { id: deploy.id }, data: { leaseOwner: "test", status: "RUNNING" } });
    await finishRun(deploy.id, "test", "FAILED", "canary failed its analysis at 25 %", {
      verify: null,
      autoRollback: true,
      breach: { why: "error rate 4 %", mitigated: true },
    });
    const auto = await f.db.incident.findFirstOrThrow({ where: { serviceId: svc.id, source: "AUTO_ROLLBACK" } });
    expect((await events(auto.id)).map((e) => e.kind)).toEqual(["SLI_BREACH", "ROLLBACK"]);
    const run = await f.db.deploymentRun.findUniqueOrThrow({ where: { id: deploy.id } });
    expect(
      await recordRunActivity(f.db, run, { type: "traffic", step: "retire-canary", message: "canary to 0" }),
    ).toEqual([]);
  });
});

describe("the pages' reads", () => {
  it("lists by status and severity, newest first, and reads one incident by id or number", async () => {
    const p4 = await open(f.onCall, { severity: "P4", title: "Slow search suggestions" });
    const openOnes = await listIncidents({ status: "open", severity: "P4" });
    expect(openOnes.items.map((i) => i.id)).toContain(p4.id);
    expect(openOnes.items.every((i) => i.severity === "P4" && i.status !== "RESOLVED")).toBe(true);
    await resolveIncident(f.onCall, { incidentId: p4.id, resolution: "Cache warmed up again." });
    expect((await listIncidents({ status: "open", severity: "P4" })).items.map((i) => i.id)).not.toContain(p4.id);
    expect((await listIncidents({ status: "resolved" })).items.map((i) => i.id)).toContain(p4.id);

    const detail = await incidentDetail(String(p4.number));
    expect(detail?.id).toBe(p4.id);
    expect((await incidentDetail(p4.id))?.events.map((e) => e.kind)).toEqual([
      "DETECT",
      "ACKNOWLEDGE",
      "STATUS_CHANGE",
    ]);
    expect(await incidentDetail("nosuch")).toBeNull();
  });
});
