import fs from "node:fs";
import path from "node:path";
import type { ActionResult } from "@/lib/actions/safe-action";
import { signRelease } from "@/lib/approvals/sign";
import { ALL_PERMISSIONS, generateSecret, hashSecret, shownPrefix } from "@/lib/api-tokens/token";
import { loadUser, type CurrentUser } from "@/lib/auth/current-user";
import { GENERIC_ERROR_MESSAGE } from "@/lib/errors";
import { addActionItem } from "@/lib/incidents/postmortem";
import { openIncident } from "@/lib/incidents/open-incident";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { removeFreezeWindow } from "@/lib/settings/environments";
import { ALL_ROLES, APPROVER_ROLES, type ApproverRole, type Role } from "@/lib/roles";
import { seedDemo } from "@/tests/support/fixtures";
import type { FieldSpec } from "@/tests/support/malformed";
import type { Permission } from "@/lib/rbac";

/*
 * What the authorization matrix and the bad-input sweep share: one fixture with something of
 * every kind an action names (releases, runs, incidents, action items, sign-offs, settings rows),
 * a valid-looking input per action, a way to see any write to the database, and the file system
 * scan that finds every entry point.
 */

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** Everyone an entry point can meet: each role alone, a signed-in person with none, nobody. */
export type Subject = { label: string; user: CurrentUser | null; roles: readonly Role[] };

export async function trustFixture() {
  const f = await seedDemo();
  const db = f.db;
  await migrateJobQueue(process.env.DATABASE_URL!);

  const load = async (id: string) => {
    const user = await loadUser(id);
    if (!user) throw new Error(`user ${id} cannot sign in`);
    return user;
  };
  const person = async (email: string, name: string, roles: readonly Role[]) => {
    const user = await db.user.create({
      data: { email, name, roles: { create: roles.map((role) => ({ role })) } },
    });
    return load(user.id);
  };
  const demo = await db.user.findMany({ include: { roles: true } });
  const byRole = {} as Record<Role, CurrentUser>;
  for (const role of ALL_ROLES) {
    const user = demo.find((u) => u.roles.length === 1 && u.roles[0].role === role);
    if (!user) throw new Error(`no demo account holds only ${role}`);
    byRole[role] = await load(user.id);
  }
  const nobody = await person("no.role@trust.test", "Noah Role", []);
  // Holds every permission, so malformed input reaches validation and the domain, never a refusal.
  const everyone = await person("everyone@trust.test", "Eve Everyone", ALL_ROLES);
  // Roles are given to and taken from this person only, so the subjects keep theirs.
  const bystander = await person("bystander@trust.test", "Bea Stander", ["VIEWER"]);

  const subjects: Subject[] = [
    ...ALL_ROLES.map((role) => ({ label: role, user: byRole[role], roles: [role] })),
    { label: "signed in, no role", user: nobody, roles: [] },
    { label: "signed out", user: null, roles: [] },
  ];

  const search = await db.service.findUniqueOrThrow({ where: { name: "search" } });
  // Before the releases, so they copy it into their checklists.
  const templateItem = await db.checklistTemplateItem.create({
    data: { environmentId: f.staging.id, label: "Trust fixture check", position: 900 },
  });
  const release = await createRelease(f.releaseManager, {
    serviceId: f.checkout.id,
    environmentId: f.staging.id,
    imageRef: "ghcr.io/acme/checkout:1.0.0",
    strategy: "ROLLING",
    changeSummary: "Trust fixture: a release every action can name.",
    links: [],
  });
  const otherRelease = await createRelease(f.releaseManager, {
    serviceId: search.id,
    environmentId: f.staging.id,
    imageRef: "ghcr.io/acme/search:2.0.0",
    strategy: "ROLLING",
    changeSummary: "Trust fixture: another release, for forged ids.",
    links: [],
  });
  // One sign-off per approver role on the release (each approver withdraws their own), one on the other.
  const approvals = {} as Record<ApproverRole, string>;
  for (const role of APPROVER_ROLES) {
    await signRelease(byRole[role], { releaseId: release.id, revision: 1, role, decision: "APPROVED", comment: "" });
    approvals[role] = (
      await db.approval.findFirstOrThrow({ where: { releaseId: release.id, role }, orderBy: { createdAt: "desc" } })
    ).id;
  }
  await signRelease(byRole.CTO, {
    releaseId: otherRelease.id,
    revision: 1,
    role: "CTO",
    decision: "APPROVED",
    comment: "",
  });
  const otherApproval = await db.approval.findFirstOrThrow({ where: { releaseId: otherRelease.id } });
  const checklistItem = await db.checklistItem.findFirstOrThrow({ where: { releaseId: release.id } });
  const otherChecklistItem = await db.checklistItem.findFirstOrThrow({ where: { releaseId: otherRelease.id } });

  const finishedAt = new Date(Date.now() - 10 * 60_000);
  const run = await db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status: "SUCCEEDED",
      serviceId: f.checkout.id,
      environmentId: f.staging.id,
      strategy: "ROLLING",
      toImage: "ghcr.io/acme/checkout:0.9.0",
      startedAt: finishedAt,
      finishedAt,
      createdAt: finishedAt,
    },
  });
  const canaryRun = await db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status: "SUCCEEDED",
      serviceId: search.id,
      environmentId: f.staging.id,
      strategy: "CANARY",
      toImage: "ghcr.io/acme/search:1.9.0",
      startedAt: finishedAt,
      finishedAt,
      createdAt: finishedAt,
    },
  });

  const incident = await openIncident(f.onCall, {
    title: "Checkout errors",
    severity: "P2",
    summary: "5xx on pay",
    serviceId: f.checkout.id,
    environmentId: f.staging.id,
    linkLastDeploy: false,
  });
  const otherIncident = await openIncident(f.onCall, {
    title: "Search is slow",
    severity: "P2",
    summary: "",
    serviceId: search.id,
    environmentId: f.staging.id,
    linkLastDeploy: false,
  });
  const actionItem = await addActionItem(f.onCall, {
    incidentId: incident.id,
    title: "Alert on checkout errors",
    ownerId: bystander.id,
    dueAt: null,
  });
  const otherActionItem = await addActionItem(f.onCall, {
    incidentId: otherIncident.id,
    title: "Alert on search latency",
    ownerId: bystander.id,
    dueAt: null,
  });

  const freeze = await db.freezeWindow.create({
    data: {
      environmentId: f.production.id,
      reason: "Trust fixture freeze",
      startsAt: new Date("2030-12-24T00:00:00Z"),
      endsAt: new Date("2030-12-27T00:00:00Z"),
      createdById: byRole.ADMIN.id,
    },
  });
  // Lifting a freeze that still applies waits for a second admin: a gate change to confirm.
  const lift = await db.freezeWindow.create({
    data: {
      environmentId: f.production.id,
      reason: "Trust fixture freeze to lift",
      startsAt: new Date("2030-11-01T00:00:00Z"),
      endsAt: new Date("2030-11-02T00:00:00Z"),
      createdById: byRole.ADMIN.id,
    },
  });
  const { pending } = await removeFreezeWindow(everyone, lift.id);
  if (!pending) throw new Error("lifting a future freeze did not wait for a second admin");
  const target = await db.serviceTarget.findUniqueOrThrow({
    where: { serviceId_environmentId: { serviceId: f.checkout.id, environmentId: f.production.id } },
  });

  // A follow-up of a deploy to tick, and a follow-up template item to remove.
  const followUp = await db.followUpItem.create({
    data: {
      runId: run.id,
      releaseId: release.id,
      label: "Logs checked",
      due: "FIRST_HOUR",
      dueAt: finishedAt,
      position: 0,
    },
  });
  const followUpTemplateItem = await db.followUpTemplateItem.create({
    data: { environmentId: f.staging.id, label: "Trust fixture follow-up", due: "FIRST_DAY", position: 900 },
  });

  const smokeCheck = await db.smokeCheck.create({
    data: { targetId: target.id, name: "health", path: "/healthz", position: 900 },
  });

  // An API token per person, asking for every permission: what it may do is what the person's
  // roles allow (lib/api-tokens), which is what the matrix expects of /api/v1.
  const apiTokens: Record<string, string> = {};
  for (const user of [...Object.values(byRole), nobody, everyone]) {
    const secret = generateSecret();
    await db.apiToken.create({
      data: {
        name: `trust ${user.email}`,
        ownerId: user.id,
        tokenHash: hashSecret(secret),
        prefix: shownPrefix(secret),
        scopes: ALL_PERMISSIONS,
        environmentIds: [],
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    apiTokens[user.id] = secret;
  }
  const ownToken = await db.apiToken.findFirstOrThrow({ where: { ownerId: everyone.id } });

  const ids = {
    apiToken: ownToken.id,
    smokeCheck: smokeCheck.id,
    followUp: followUp.id,
    followUpTemplateItem: followUpTemplateItem.id,
    release: release.id,
    otherRelease: otherRelease.id,
    approval: approvals.CTO,
    otherApproval: otherApproval.id,
    checklistItem: checklistItem.id,
    otherChecklistItem: otherChecklistItem.id,
    run: run.id,
    canaryRun: canaryRun.id,
    incident: incident.id,
    otherIncident: otherIncident.id,
    actionItem: actionItem.id,
    otherActionItem: otherActionItem.id,
    templateItem: templateItem.id,
    freeze: freeze.id,
    gateChange: pending.id,
    target: target.id,
    service: f.checkout.id,
    otherService: search.id,
    staging: f.staging.id,
    production: f.production.id,
    bystander: bystander.id,
    onCall: byRole.ON_CALL.id,
  };
  return { ...f, db, byRole, nobody, everyone, bystander, subjects, approvals, ids, apiTokens };
}

export type TrustFixture = Awaited<ReturnType<typeof trustFixture>>;

/** A valid-looking input for an action, as `user` would send it, and what each field holds. */
export interface ActionSample {
  input: (fx: TrustFixture, user: CurrentUser | null) => Record<string, unknown>;
  fields: Record<string, FieldSpec>;
  /** Inputs that name real rows that do not belong together (another release's item, say). */
  forged?: (fx: TrustFixture) => Record<string, unknown>[];
}

const approverRoleOf = (user: CurrentUser | null): ApproverRole =>
  APPROVER_ROLES.find((role) => user?.roles.includes(role)) ?? "CTO";

const serviceTargetForm = (fx: TrustFixture) => ({
  targetId: fx.ids.target,
  metricsSelector: 'app="checkout",namespace="shop-production"',
  requestsMetric: "http_requests_total",
  durationMetric: "http_request_duration_seconds",
  statusLabel: "code",
  cpuMetric: "process_cpu_usage_ratio",
  memoryMetric: "process_memory_usage_ratio",
  maxErrorRatePercent: "0.5",
  maxLatencyP95Ms: "250",
  maxLatencyP99Ms: "",
  minRequests: "80",
  verifyWindowSeconds: "300",
  autoRollback: true,
  canarySteps: "10, 50, 100",
  canaryPauseSeconds: "30",
});

const releaseFields: Record<string, FieldSpec> = {
  imageRef: { kind: "image" },
  strategy: { kind: "enum" },
  changeSummary: { kind: "text", min: 10, max: 5000 },
  links: { kind: "links", optional: true },
};

/** Keyed by the action's registered name; a registered action without a sample fails both sweeps. */
export const ACTION_SAMPLES: Record<string, ActionSample> = {
  "release.sign": {
    input: (fx, user) => ({
      releaseId: fx.ids.release,
      revision: 1,
      role: approverRoleOf(user),
      decision: "APPROVED",
      comment: "Checked the change.",
    }),
    fields: {
      releaseId: { kind: "id" },
      revision: { kind: "int" },
      role: { kind: "enum", also: ["ADMIN", "RELEASE_MANAGER", "VIEWER"] },
      decision: { kind: "enum" },
      comment: { kind: "text", max: 2000, optional: true },
    },
    forged: (fx) => [
      { releaseId: fx.ids.otherRelease, revision: 2, role: "CTO", decision: "APPROVED", comment: "" },
      { releaseId: fx.ids.run, revision: 1, role: "CTO", decision: "APPROVED", comment: "" },
    ],
  },
  "release.withdraw": {
    input: (fx, user) => ({ releaseId: fx.ids.release, approvalId: fx.approvals[approverRoleOf(user)] }),
    fields: { releaseId: { kind: "id" }, approvalId: { kind: "id" } },
    forged: (fx) => [
      { releaseId: fx.ids.release, approvalId: fx.ids.otherApproval },
      { releaseId: fx.ids.otherRelease, approvalId: fx.ids.approval },
    ],
  },
  "checklist.tick": {
    input: (fx) => ({
      releaseId: fx.ids.release,
      itemId: fx.ids.checklistItem,
      revision: 1,
      checked: true,
      evidenceUrl: "",
    }),
    fields: {
      releaseId: { kind: "id" },
      itemId: { kind: "id" },
      revision: { kind: "int" },
      checked: { kind: "bool" },
      evidenceUrl: { kind: "url", optional: true },
    },
    forged: (fx) => [
      { releaseId: fx.ids.release, itemId: fx.ids.otherChecklistItem, revision: 1, checked: true },
      { releaseId: fx.ids.otherRelease, itemId: fx.ids.checklistItem, revision: 1, checked: true },
    ],
  },
  "gate.override": {
    input: (fx) => ({
      releaseId: fx.ids.release,
      revision: 1,
      kind: "FREEZE",
      reason: "Hotfix for a checkout outage.",
    }),
    fields: {
      releaseId: { kind: "id" },
      revision: { kind: "int" },
      kind: { kind: "enum" },
      reason: { kind: "text", min: 10, max: 1000 },
    },
  },
  "incident.open": {
    input: (fx) => ({
      title: "Payments failing",
      severity: "P3",
      summary: "",
      serviceId: fx.ids.service,
      environmentId: fx.ids.staging,
      linkLastDeploy: false,
    }),
    fields: {
      title: { kind: "text", min: 3, max: 200 },
      severity: { kind: "enum" },
      summary: { kind: "text", max: 4000, optional: true },
      serviceId: { kind: "id", optional: true },
      environmentId: { kind: "id", optional: true },
      releaseId: { kind: "id", optional: true },
      linkLastDeploy: { kind: "bool", optional: true },
    },
  },
  "incident.postmortem": {
    input: (fx) => ({
      incidentId: fx.ids.incident,
      impact: "Checkout failed for 12 minutes.",
      rootCause: "A bad configuration value.",
      wentWell: "The rollback was quick.",
    }),
    fields: {
      incidentId: { kind: "id" },
      impact: { kind: "text", max: 8000 },
      rootCause: { kind: "text", max: 8000 },
      wentWell: { kind: "text", max: 8000 },
    },
  },
  "incident.action_item.add": {
    input: (fx) => ({
      incidentId: fx.ids.incident,
      title: "Add a canary for config",
      ownerId: fx.ids.bystander,
      dueAt: "2031-01-31",
    }),
    fields: {
      incidentId: { kind: "id" },
      title: { kind: "text", min: 3, max: 300 },
      ownerId: { kind: "id" },
      dueAt: { kind: "day", optional: true },
    },
  },
  "incident.action_item.done": {
    input: (fx) => ({ incidentId: fx.ids.incident, itemId: fx.ids.actionItem }),
    fields: { incidentId: { kind: "id" }, itemId: { kind: "id" } },
    forged: (fx) => [
      { incidentId: fx.ids.incident, itemId: fx.ids.otherActionItem },
      { incidentId: fx.ids.otherIncident, itemId: fx.ids.actionItem },
    ],
  },
  "incident.acknowledge": {
    input: (fx) => ({ incidentId: fx.ids.incident }),
    fields: { incidentId: { kind: "id" } },
  },
  "incident.status": {
    input: (fx) => ({ incidentId: fx.ids.incident, status: "IDENTIFIED" }),
    fields: { incidentId: { kind: "id" }, status: { kind: "enum", also: ["RESOLVED"] } },
  },
  "incident.severity": {
    input: (fx) => ({ incidentId: fx.ids.incident, severity: "P2" }),
    fields: { incidentId: { kind: "id" }, severity: { kind: "enum", also: ["P0", "P5", "p1"] } },
  },
  "incident.commander": {
    input: (fx) => ({ incidentId: fx.ids.incident, commanderId: fx.ids.onCall }),
    fields: { incidentId: { kind: "id" }, commanderId: { kind: "id" } },
  },
  "incident.note": {
    input: (fx) => ({ incidentId: fx.ids.incident, text: "Looking at the error logs.", step: "ASSESS" }),
    fields: {
      incidentId: { kind: "id" },
      text: { kind: "text", min: 1, max: 4000 },
      step: { kind: "enum", optional: true },
    },
  },
  "incident.link_run": {
    input: (fx) => ({ incidentId: fx.ids.incident, runId: fx.ids.run, relation: "cause" }),
    fields: { incidentId: { kind: "id" }, runId: { kind: "id" }, relation: { kind: "enum" } },
  },
  "incident.resolve": {
    input: (fx) => ({ incidentId: fx.ids.incident, resolution: "Rolled back the bad deploy; errors stopped." }),
    fields: { incidentId: { kind: "id" }, resolution: { kind: "text", min: 10, max: 4000 } },
  },
  "incident.reopen": {
    input: (fx) => ({ incidentId: fx.ids.incident }),
    fields: { incidentId: { kind: "id" } },
  },
  "role.assign": {
    input: (fx) => ({ userId: fx.ids.bystander, role: "ON_CALL" }),
    fields: { userId: { kind: "id" }, role: { kind: "enum", also: ["SUPERUSER", "admin", "ROOT"] } },
  },
  "role.remove": {
    input: (fx) => ({ userId: fx.ids.bystander, role: "ON_CALL" }),
    fields: { userId: { kind: "id" }, role: { kind: "enum", also: ["SUPERUSER", "admin", "ROOT"] } },
  },
  "release.create": {
    input: (fx) => ({
      serviceId: fx.ids.service,
      environmentId: fx.ids.staging,
      imageRef: "ghcr.io/acme/checkout:1.1.0",
      strategy: "CANARY",
      changeSummary: "Faster checkout page.",
      links: [{ label: "Pull request", url: "https://github.com/acme/checkout/pull/1" }],
    }),
    fields: { serviceId: { kind: "id" }, environmentId: { kind: "id" }, ...releaseFields },
  },
  "release.update": {
    input: (fx) => ({
      releaseId: fx.ids.release,
      expectedRevision: 1,
      imageRef: "ghcr.io/acme/checkout:1.0.1",
      strategy: "ROLLING",
      changeSummary: "Trust fixture: a release every action can name.",
      links: [],
    }),
    fields: { releaseId: { kind: "id" }, expectedRevision: { kind: "int" }, ...releaseFields },
  },
  "release.deploy": {
    input: (fx) => ({ releaseId: fx.ids.release }),
    fields: { releaseId: { kind: "id" } },
  },
  "release.dry-run": {
    input: (fx) => ({ releaseId: fx.ids.release }),
    fields: { releaseId: { kind: "id" } },
  },
  "service.rollback": {
    input: (fx) => ({ serviceId: fx.ids.service, environmentId: fx.ids.staging, reason: "Errors after deploy" }),
    fields: { serviceId: { kind: "id" }, environmentId: { kind: "id" }, reason: { kind: "text", min: 3, max: 500 } },
  },
  "run.promote": {
    input: (fx) => ({ runId: fx.ids.canaryRun }),
    fields: { runId: { kind: "id" } },
  },
  "run.abort": {
    input: (fx) => ({ runId: fx.ids.canaryRun }),
    fields: { runId: { kind: "id" } },
  },
  "gate_change.confirm": {
    input: (fx) => ({ changeId: fx.ids.gateChange }),
    fields: { changeId: { kind: "id" } },
  },
  "gate_change.decline": {
    input: (fx) => ({ changeId: fx.ids.gateChange }),
    fields: { changeId: { kind: "id" } },
  },
  "environment.update": {
    input: (fx) => ({
      environmentId: fx.ids.staging,
      requiresApproval: true,
      authorMaySign: false,
      approvalTtlHours: 72,
      errorBudgetGate: false,
    }),
    fields: {
      environmentId: { kind: "id" },
      requiresApproval: { kind: "bool" },
      authorMaySign: { kind: "bool" },
      approvalTtlHours: { kind: "int", max: 2160 },
      errorBudgetGate: { kind: "bool" },
    },
  },
  "checklist_template.add": {
    input: (fx) => ({ environmentId: fx.ids.staging, label: "Smoke tests pass", required: true }),
    fields: {
      environmentId: { kind: "id" },
      label: { kind: "text", min: 3, max: 200 },
      required: { kind: "bool", optional: true },
    },
  },
  "checklist_template.remove": {
    input: (fx) => ({ itemId: fx.ids.templateItem }),
    fields: { itemId: { kind: "id" } },
  },
  "freeze.add": {
    input: (fx) => ({
      environmentId: fx.ids.production,
      reason: "Year-end freeze",
      recurrence: "NONE",
      startsAt: "2031-12-24T00:00:00Z",
      endsAt: "2031-12-27T00:00:00Z",
      weekdays: [],
      timeZone: "Europe/Berlin",
    }),
    fields: {
      environmentId: { kind: "id" },
      reason: { kind: "text", min: 3, max: 300 },
      recurrence: { kind: "enum" },
      startsAt: { kind: "instant" },
      endsAt: { kind: "instant" },
      weekdays: { kind: "weekdays", optional: true },
      timeZone: { kind: "timeZone" },
    },
  },
  "freeze.remove": {
    input: (fx) => ({ freezeId: fx.ids.freeze }),
    fields: { freezeId: { kind: "id" } },
  },
  "smoke_check.add": {
    input: (fx) => ({
      targetId: fx.ids.target,
      name: "ready",
      method: "GET",
      path: "/readyz",
      expectedStatus: 200,
      bodyContains: "ok",
      timeoutMs: 2000,
    }),
    fields: {
      targetId: { kind: "id" },
      name: { kind: "text", min: 2, max: 60 },
      method: { kind: "enum", also: ["DELETE", "get", "CONNECT"] },
      expectedStatus: { kind: "int", max: 599 },
      bodyContains: { kind: "text", optional: true, max: 200 },
      timeoutMs: { kind: "int", max: 30000 },
    },
  },
  "smoke_check.remove": {
    input: (fx) => ({ checkId: fx.ids.smokeCheck }),
    fields: { checkId: { kind: "id" } },
  },
  "follow_up.tick": {
    input: (fx) => ({ itemId: fx.ids.followUp, evidenceUrl: "https://grafana.example/d/checkout", note: "" }),
    fields: {
      itemId: { kind: "id" },
      evidenceUrl: { kind: "url", optional: true },
      note: { kind: "text", optional: true, max: 1000 },
    },
  },
  "follow_up_template.add": {
    input: (fx) => ({ environmentId: fx.ids.staging, label: "Conversion compared with last week", due: "FIRST_WEEK" }),
    fields: {
      environmentId: { kind: "id" },
      label: { kind: "text", min: 3, max: 200 },
      due: { kind: "enum", also: ["FIRST_MONTH", "first_hour"] },
    },
  },
  "follow_up_template.remove": {
    input: (fx) => ({ itemId: fx.ids.followUpTemplateItem }),
    fields: { itemId: { kind: "id" } },
  },
  "follow_up_template.time_zone": {
    input: (fx) => ({ environmentId: fx.ids.staging, timeZone: "Europe/Berlin" }),
    fields: { environmentId: { kind: "id" }, timeZone: { kind: "timeZone" } },
  },
  "api_token.create": {
    input: () => ({
      name: "Deploy pipeline",
      kind: "PERSONAL",
      scopes: ["dashboard:read"],
      environmentIds: [],
      expiresInDays: 30,
    }),
    fields: {
      name: { kind: "text", min: 3, max: 80 },
      kind: { kind: "enum", optional: true, also: ["ADMIN", "personal"] },
      scopes: {
        kind: "enum",
        also: [[], ["root"], [1], ["dashboard:read", null], new Array(40).fill("dashboard:read")],
      },
      // A list where [] is right (every environment): "weekdays" sends lists of wrong items.
      environmentIds: {
        kind: "weekdays",
        also: [["' OR '1'='1"], ["c0ffee0000000000"], [""], new Array(51).fill("a"), [5]],
      },
      expiresInDays: { kind: "int", max: 365 },
    },
  },
  "api_token.revoke": {
    input: (fx) => ({ tokenId: fx.ids.apiToken }),
    fields: { tokenId: { kind: "id" } },
  },
  "service_target.update": {
    input: (fx) => serviceTargetForm(fx),
    fields: {
      targetId: { kind: "id" },
      metricsSelector: { kind: "selector" },
      requestsMetric: { kind: "metric" },
      durationMetric: { kind: "metric" },
      statusLabel: { kind: "label" },
      cpuMetric: { kind: "metric" },
      memoryMetric: { kind: "metric" },
      maxErrorRatePercent: { kind: "numberText" },
      maxLatencyP95Ms: { kind: "numberText" },
      maxLatencyP99Ms: { kind: "numberText" },
      minRequests: { kind: "numberText" },
      verifyWindowSeconds: { kind: "numberText" },
      autoRollback: { kind: "bool" },
      canarySteps: { kind: "steps" },
      canaryPauseSeconds: { kind: "numberText" },
    },
  },
};

/**
 * Any write to a table of the application's (and to the job queue) since the last look. Row
 * triggers on every table of this file's own database, so an update or a delete shows as well as
 * an insert; a write rolled back leaves nothing, as it should.
 */
export async function trackWrites(fx: TrustFixture) {
  const db = fx.db;
  await db.$executeRawUnsafe(
    `create table trust_writes (id bigserial primary key, tbl text not null, op text not null)`,
  );
  await db.$executeRawUnsafe(`
    create function trust_note_write() returns trigger language plpgsql as $$
    begin
      insert into public.trust_writes (tbl, op) values (tg_table_schema || '.' || tg_table_name, tg_op);
      return null;
    end $$`);
  const tables = await db.$queryRawUnsafe<{ schema: string; name: string }[]>(`
    select schemaname::text as schema, tablename::text as name from pg_tables
     where (schemaname = 'public' and tablename not in ('trust_writes', 'api_token_limits') and tablename not like '\\_%')
        or (schemaname = 'graphile_worker' and tablename = '_private_jobs')`);
  // api_token_limits is left out: every /api/v1 request with a known token counts against its
  // rate limit before anything else is decided, refusals included; that count is not a change.
  if (tables.length < 20) throw new Error(`only ${tables.length} tables found to watch`);
  for (const t of tables)
    await db.$executeRawUnsafe(
      `create trigger trust_write after insert or update or delete on "${t.schema}"."${t.name}"
         for each row execute function trust_note_write()`,
    );
  let seen = 0n;
  const last = async () =>
    (await db.$queryRawUnsafe<{ id: bigint | null }[]>(`select max(id) as id from trust_writes`))[0].id ?? 0n;
  seen = await last();
  return {
    tables: tables.map((t) => `${t.schema}.${t.name}`),
    /** The writes since the previous call, as "table op". */
    async since(): Promise<string[]> {
      const now = await last();
      if (now === seen) return [];
      const rows = await db.$queryRawUnsafe<{ tbl: string; op: string }[]>(
        `select tbl, op from trust_writes where id > $1 order by id`,
        seen,
      );
      seen = now;
      return rows.map((r) => `${r.tbl} ${r.op}`);
    },
  };
}

const STACK_OR_INTERNALS =
  /\n\s*at |\bat [\w.<>]+ \(|(?:Type|Reference|Range|Syntax)Error|Prisma|prisma\.|Invalid `|\bSQL\b|violates .*constraint|P20\d\d|ECONN|ENOENT|\bundefined\b|\bNaN\b|\[object |Unexpected token|node_modules|\.tsx?:\d|Invalid input|received (?:string|number|boolean|array|object|null|undefined|bigint|date|map|set)|expected (?:string|number|boolean|array|object|int|record)/i;

/**
 * A refusal a person can act on: a sentence (capital letter first, ends like one), not a stack,
 * not an exception's or the database's own text, not zod's type-checker wording.
 */
export function clarityProblem(message: unknown): string | null {
  if (typeof message !== "string" || message.trim() === "") return "no message";
  if (message === GENERIC_ERROR_MESSAGE) return "the generic message of an internal error";
  if (message.length > 600) return `a message of ${message.length} characters`;
  if (!/^[\p{Lu}"“(0-9]/u.test(message)) return "does not start like a sentence";
  if (!/[.!?)”"]$/.test(message.trim())) return "does not end like a sentence";
  if (STACK_OR_INTERNALS.test(message)) return "reads as internal error text";
  return null;
}

export function isActionResult(value: unknown): value is ActionResult<unknown> {
  return typeof value === "object" && value !== null && "ok" in value;
}

/** Every module whose first statement is "use server", under lib/actions (repository-relative, no extension). */
export function serverActionModules(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        const text = fs.readFileSync(path.join(ROOT, rel), "utf8");
        if (/^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use server["']/.test(text))
          found.push(rel.replace(/\.tsx?$/, ""));
      }
    }
  };
  walk("lib/actions");
  return found.sort();
}

/** Every app/api/**\/route.ts (repository-relative). */
export function apiRouteFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/^route\.(?:ts|tsx|js)$/.test(entry.name)) found.push(rel);
    }
  };
  walk("app/api");
  return found.sort();
}

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export type RouteAuth =
  | { kind: "public" }
  | { kind: "session"; permission: Permission }
  | { kind: "token"; header: string; token: string }
  /** An /api/v1 route: the caller's own API token (TrustFixture.apiTokens), held to `permission`. */
  | { kind: "apiToken"; permission: Permission };

export interface RouteCase {
  auth: RouteAuth;
  /** A request a permitted caller would make; `params` are the dynamic segments. */
  request: (fx: TrustFixture) => { url: string; init?: RequestInit; params?: Record<string, string> };
}

/** The Alertmanager route's token in these tests (each test file sets ALERTMANAGER_TOKEN to it first). */
export const TRUST_ALERTMANAGER_TOKEN = "trust-matrix-token-0123456789abcdef";
const TOKEN = TRUST_ALERTMANAGER_TOKEN;
/** The metrics route's token in these tests (each test file sets METRICS_TOKEN to it first). */
export const TRUST_METRICS_TOKEN = "trust-metrics-token-0123456789abcdef";

const v1 = (permission: Permission): RouteAuth => ({ kind: "apiToken", permission });
/** The /api/v1 routes: each caller with their own API token (RouteAuth "apiToken"). */
const V1_ROUTES: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], RouteCase>>> = {
  "app/api/v1/openapi.json/route.ts": {
    GET: { auth: { kind: "public" }, request: () => ({ url: "/api/v1/openapi.json" }) },
  },
  "app/api/v1/releases/route.ts": {
    POST: {
      auth: v1("release:create"),
      request: () => ({
        url: "/api/v1/releases",
        init: {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            service: "checkout",
            environment: "staging",
            imageRef: "ghcr.io/acme/checkout:1.2.0",
            commitSha: "0123456789abcdef0123456789abcdef01234567",
          }),
        },
      }),
    },
  },
  "app/api/v1/releases/[id]/route.ts": {
    GET: {
      auth: v1("dashboard:read"),
      request: (fx) => ({ url: `/api/v1/releases/${fx.ids.release}`, params: { id: fx.ids.release } }),
    },
  },
  "app/api/v1/releases/[id]/gate/route.ts": {
    GET: {
      auth: v1("dashboard:read"),
      request: (fx) => ({ url: `/api/v1/releases/${fx.ids.release}/gate`, params: { id: fx.ids.release } }),
    },
  },
  "app/api/v1/releases/[id]/deploy/route.ts": {
    POST: {
      auth: v1("release:deploy"),
      request: (fx) => ({
        url: `/api/v1/releases/${fx.ids.release}/deploy`,
        init: { method: "POST" },
        params: { id: fx.ids.release },
      }),
    },
  },
  "app/api/v1/runs/[id]/route.ts": {
    GET: {
      auth: v1("dashboard:read"),
      request: (fx) => ({ url: `/api/v1/runs/${fx.ids.run}`, params: { id: fx.ids.run } }),
    },
  },
  "app/api/v1/services/[id]/route.ts": {
    GET: {
      auth: v1("dashboard:read"),
      request: () => ({ url: "/api/v1/services/checkout", params: { id: "checkout" } }),
    },
  },
  "app/api/v1/services/[id]/rollback/route.ts": {
    POST: {
      auth: v1("service:rollback"),
      request: () => ({
        url: "/api/v1/services/checkout/rollback",
        init: {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ environment: "staging", reason: "Errors after the deploy" }),
        },
        params: { id: "checkout" },
      }),
    },
  },
};

/** Every API route by file and method. */
export const ROUTES: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], RouteCase>>> = {
  "app/api/alerts/alertmanager/route.ts": {
    POST: {
      auth: { kind: "token", header: "authorization", token: `Bearer ${TOKEN}` },
      request: () => ({
        url: "/api/alerts/alertmanager",
        init: {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            version: "4",
            groupKey: "{}:{}",
            status: "resolved",
            receiver: "greenlight",
            groupLabels: {},
            commonLabels: {},
            commonAnnotations: {},
            externalURL: "http://alertmanager.example",
            alerts: [],
          }),
        },
      }),
    },
  },
  "app/api/deployments/export/route.ts": {
    GET: {
      auth: { kind: "session", permission: "dashboard:read" },
      request: () => ({ url: "/api/deployments/export" }),
    },
  },
  "app/api/health/route.ts": { GET: { auth: { kind: "public" }, request: () => ({ url: "/api/health" }) } },
  "app/api/history/metrics.csv/route.ts": {
    GET: {
      auth: { kind: "session", permission: "dashboard:read" },
      request: () => ({ url: "/api/history/metrics.csv" }),
    },
  },
  "app/api/metrics/route.ts": {
    GET: {
      auth: { kind: "token", header: "authorization", token: `Bearer ${TRUST_METRICS_TOKEN}` },
      request: () => ({ url: "/api/metrics" }),
    },
  },
  "app/api/ready/route.ts": { GET: { auth: { kind: "public" }, request: () => ({ url: "/api/ready" }) } },
  "app/api/runs/[id]/route.ts": {
    GET: {
      auth: { kind: "session", permission: "dashboard:read" },
      request: (fx) => ({ url: `/api/runs/${fx.ids.run}`, params: { id: fx.ids.run } }),
    },
  },
  "app/api/runs/[id]/stream/route.ts": {
    GET: {
      auth: { kind: "session", permission: "dashboard:read" },
      // A finished run: the stream sends its state once and ends.
      request: (fx) => ({ url: `/api/runs/${fx.ids.run}/stream`, params: { id: fx.ids.run } }),
    },
  },
  "app/api/services/[name]/slis/route.ts": {
    GET: {
      auth: { kind: "session", permission: "dashboard:read" },
      request: () => ({
        url: "/api/services/checkout/slis?environment=staging&range=1h",
        params: { name: "checkout" },
      }),
    },
  },
  ...V1_ROUTES,
};

/** Routes this sweep does not call, and why. */
export const ROUTES_OUT_OF_SCOPE: Record<string, string> = {
  "app/api/auth/[...nextauth]/route.ts":
    "next-auth's own sign-in, callback and session endpoints: they authenticate, they do not act on anything a role governs",
};

export type RouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;

export async function loadRoute(file: string): Promise<Record<string, unknown>> {
  return (await import(path.join(ROOT, file))) as Record<string, unknown>;
}

export async function callRoute(
  handler: RouteHandler,
  request: { url: string; init?: RequestInit; params?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  let response: Response;
  try {
    response = await handler(new Request(new URL(request.url, "http://127.0.0.1:3000"), request.init), {
      params: Promise.resolve(request.params ?? {}),
    });
  } catch (error) {
    // What Next answers when a route handler throws.
    return { status: 500, body: `thrown: ${error instanceof Error ? error.message : String(error)}` };
  }
  // Read to the end: a CSV export or an event stream holds a connection until it is.
  return { status: response.status, body: await response.text() };
}
