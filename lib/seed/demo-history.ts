/**
 * 90 days of plausible delivery history for the demo services, so a first look at History, the
 * deployment log and the incidents shows something real: releases (with the commit they were
 * built from, some hours before), the six sign-offs and the ticked checklist where the environment
 * requires them, deploy runs with their step events, and a few failures: deploys that failed
 * before their traffic switch, manual rollbacks, automatic rollbacks after a verification breach
 * and incidents fixed forward (resolved, P2s with a postmortem).
 *
 * It ends with the versions the sandbox actually runs (DEMO_SERVICES, the same images as
 * packages/sandbox-cluster's demo workloads), so the rollback targets the last-good rule derives
 * from this log stay right: each target's newest good version is the live one, the last three
 * versions of every target shipped cleanly, and nothing is left running, verifying or open.
 *
 * Deterministic (a seeded pseudo-random generator and `now`), written with createMany in one
 * transaction, once: skipped when a marker says it ran or when any run exists already (a real
 * history is never mixed with invented one). `npm start` calls it after the demo seed; tests use
 * their own data.
 */
import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db";
import type { IncidentEventKind, Prisma, Role, RunEventPhase, Strategy } from "@/lib/generated/prisma/client";
import { stepOf } from "@/lib/incidents/procedure";
import { DEFAULT_CHECKLIST, DEMO_SERVICES } from "@/lib/seed/seed";

export const DEMO_HISTORY_KEY = "demo-history";
const DEMO_HISTORY_VERSION = 1;
export const DEMO_HISTORY_DAYS = 90;
/** The last versions of every target ship cleanly, so the rollback target is a version that served well. */
const CLEAN_TAIL = 3;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const APPROVER_ROLES: Role[] = [
  "CTO",
  "ENGINEERING_LEAD",
  "DEVOPS_LEAD",
  "SECURITY_LEAD",
  "PRODUCT_LEAD",
  "HEAD_OF_SUPPORT",
];

/** Mean days between versions per service, so the three land in different DORA bands. */
const CADENCE_DAYS: Record<string, number> = { checkout: 2.5, catalog: 1.8, search: 4 };

const SUMMARIES: Record<string, string[]> = {
  checkout: [
    "Saved cards for returning shoppers.",
    "Retry the payment hand-off once on a gateway timeout.",
    "Order confirmation e-mail shows the delivery window.",
    "Apple Pay behind the apple-pay flag.",
    "Fewer database round trips when the cart is read.",
    "Currency rounding follows the payment provider.",
    "Gift cards can pay part of an order.",
  ],
  catalog: [
    "Prices refresh from the pricing service every minute.",
    "Stock counts cached for 30 seconds.",
    "Product pages list size guides.",
    "Faster category listing (one query instead of three).",
    "Discontinued products are hidden from listings.",
    "Image URLs served from the CDN.",
  ],
  search: [
    "Typo tolerance for product names.",
    "Suggestions rank by recent sales.",
    "Index rebuild no longer blocks queries.",
    "Filters by brand and size.",
    "Synonyms for common product words.",
  ],
};

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The versions before `live`, oldest first, ending with it: 1.4.2 ← 1.4.1 ← 1.4.0 ← 1.3.3 … */
export function versionsEndingWith(live: string, count: number, random: () => number): string[] {
  const [major, minor, patch] = live.split(".").map(Number);
  const versions = [live];
  let m = minor;
  let p = patch;
  while (versions.length < count) {
    if (p > 0) p -= 1;
    else {
      m -= 1;
      p = 1 + Math.floor(random() * 4);
    }
    versions.unshift(`${major}.${Math.max(m, 0)}.${p}`);
  }
  return versions;
}

export interface DemoHistoryInput {
  now: Date;
  services: { id: string; name: string; strategy: Strategy; image: string }[];
  environments: { id: string; name: string; requiresApproval: boolean }[];
  /** Demo accounts by email prefix: "cto", "release.manager", "oncall", … */
  people: Record<string, string>;
}

export interface DemoHistoryPlan {
  releases: Prisma.ReleaseCreateManyInput[];
  revisions: Prisma.ReleaseRevisionCreateManyInput[];
  checklist: Prisma.ChecklistItemCreateManyInput[];
  checklistTicks: Prisma.ChecklistTickCreateManyInput[];
  approvals: Prisma.ApprovalCreateManyInput[];
  runs: Prisma.DeploymentRunCreateManyInput[];
  events: Prisma.RunEventCreateManyInput[];
  incidents: Prisma.IncidentCreateManyInput[];
  incidentEvents: Prisma.IncidentEventCreateManyInput[];
  incidentRuns: Prisma.IncidentRunCreateManyInput[];
  actionItems: Prisma.PostmortemActionItemCreateManyInput[];
}

type Outcome = "ok" | "failed-before-traffic" | "manual-rollback" | "auto-rollback" | "incident";

const APPROVER_EMAIL: Record<string, string> = {
  CTO: "cto",
  ENGINEERING_LEAD: "eng.lead",
  DEVOPS_LEAD: "devops.lead",
  SECURITY_LEAD: "security.lead",
  PRODUCT_LEAD: "product.lead",
  HEAD_OF_SUPPORT: "support.head",
};

const DEPLOY_STEPS: Record<Strategy, string[]> = {
  ROLLING: ["inspect", "set-image", "wait-rollout"],
  BLUE_GREEN: ["inspect", "prepare-idle-color", "wait-idle-ready", "switch-traffic", "verify-traffic"],
  CANARY: ["inspect", "start-canary", "traffic-steps", "promote-stable", "wait-stable", "retire-canary"],
};
/** Where a deploy that never got ready stops, and the recovery steps it records. */
const FAILED_STEPS: Record<Strategy, { stop: string; recovery: string[] }> = {
  ROLLING: { stop: "wait-rollout", recovery: ["restore-previous-revision", "wait-restored", "report-replicasets"] },
  BLUE_GREEN: { stop: "wait-idle-ready", recovery: ["retire-idle-color"] },
  CANARY: { stop: "start-canary", recovery: ["retire-canary"] },
};
const ROLLBACK_STEPS: Record<Strategy, string[]> = {
  ROLLING: ["find-good-revision", "restore-template", "wait-restored"],
  BLUE_GREEN: ["inspect", "switch-back", "verify-traffic"],
  CANARY: ["inspect", "restore-stable", "wait-stable-restored", "retire-canary"],
};

/** The whole history as rows, computed without a database: the same input gives the same plan. */
export function planDemoHistory(input: DemoHistoryInput): DemoHistoryPlan {
  const random = seededRandom(20261204);
  const between = (low: number, high: number) => low + random() * (high - low);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const id = () => {
    let text = "c";
    while (text.length < 25) text += Math.floor(random() * 36).toString(36);
    return text;
  };
  const sha = () => Array.from({ length: 40 }, () => Math.floor(random() * 16).toString(16)).join("");
  const at = (ms: number) => new Date(Math.round(ms / 1000) * 1000);
  const person = (prefix: string) => {
    const found = input.people[prefix];
    if (!found) throw new Error(`demo history: no demo account ${prefix}`);
    return found;
  };

  const plan: DemoHistoryPlan = {
    releases: [],
    revisions: [],
    checklist: [],
    checklistTicks: [],
    approvals: [],
    runs: [],
    events: [],
    incidents: [],
    incidentEvents: [],
    incidentRuns: [],
    actionItems: [],
  };
  const now = input.now.getTime();
  const start = now - DEMO_HISTORY_DAYS * DAY;
  const manager = person("release.manager");
  const onCall = person("oncall");
  const staging = input.environments.find((e) => e.name === "staging");
  const production = input.environments.find((e) => e.name === "production");
  if (!staging || !production) throw new Error("demo history: the staging and production environments are missing");

  function events(runId: string, from: number, steps: { step: string; phase: RunEventPhase; message: string }[]) {
    steps.forEach((s, seq) =>
      plan.events.push({
        runId,
        seq: seq + 1,
        step: s.step,
        phase: s.phase,
        message: s.message,
        createdAt: at(from + seq * 20_000),
      }),
    );
  }

  function timeline(
    incidentId: string,
    entries: { kind: IncidentEventKind; at: number; message: string; actorId?: string | null; runId?: string }[],
  ) {
    for (const e of entries)
      plan.incidentEvents.push({
        incidentId,
        kind: e.kind,
        step: stepOf(e.kind),
        message: e.message,
        actorId: e.actorId ?? null,
        runId: e.runId ?? null,
        createdAt: at(e.at),
      });
  }

  for (const service of input.services) {
    const repository = service.image.slice(0, service.image.lastIndexOf(":"));
    const liveVersion = service.image.slice(service.image.lastIndexOf(":") + 1);
    const cadence = CADENCE_DAYS[service.name] ?? 3;
    const times: number[] = [];
    for (let t = start + between(0.2, 1.5) * DAY; t < now - 2 * DAY; t += between(0.4, 1.6) * cadence * DAY)
      times.push(t);
    const versions = versionsEndingWith(liveVersion, times.length, random);
    // What serves in each environment, and the good versions a rollback could go back to.
    const live: Record<string, string | null> = { staging: null, production: null };
    const good: Record<string, string[]> = { staging: [], production: [] };

    times.forEach((t0, index) => {
      const version = versions[index];
      const image = `${repository}:${version}`;
      const committedAt = t0 - between(2, 30) * HOUR;
      const commitSha = sha();
      const summary = pick(SUMMARIES[service.name] ?? ["Routine update."]);
      const clean = index === 0 || index >= times.length - CLEAN_TAIL;
      const roll = random();
      const outcome: Outcome = clean
        ? "ok"
        : roll < 0.07
          ? "failed-before-traffic"
          : roll < 0.13
            ? "manual-rollback"
            : roll < 0.17
              ? "auto-rollback"
              : roll < 0.21
                ? "incident"
                : "ok";

      for (const environment of [staging, production]) {
        const isProduction = environment === production;
        const releaseId = id();
        const createdAt = isProduction ? t0 + between(1, 6) * HOUR : t0;
        let ready = createdAt + between(10, 40) * MINUTE;
        if (environment.requiresApproval) {
          APPROVER_ROLES.forEach((role) => {
            const signedAt = createdAt + between(0.3, 8) * HOUR;
            ready = Math.max(ready, signedAt);
            plan.approvals.push({
              id: id(),
              releaseId,
              revision: 1,
              role,
              decision: "APPROVED",
              userId: person(APPROVER_EMAIL[role]),
              createdAt: at(signedAt),
            });
          });
          DEFAULT_CHECKLIST.forEach((label, position) => {
            const itemId = id();
            plan.checklist.push({ id: itemId, releaseId, label, position });
            // Ticked on the revision that shipped (revision 1, like the sign-offs).
            plan.checklistTicks.push({
              // Derived, not drawn: another draw would shift the seeded sequence and change the history.
              id: `t${itemId.slice(1)}`,
              itemId,
              releaseId,
              revision: 1,
              checkedById: manager,
              checkedAt: at(createdAt + between(5, 50) * MINUTE),
            });
          });
        }
        const runOutcome: Outcome = isProduction ? outcome : "ok";
        const started = ready + between(0.3, isProduction ? 10 : 1) * HOUR;
        const switched = started + between(2, 8) * MINUTE;
        const finished = switched + between(20, 90) * 1000;
        const runId = id();
        const fromImage = live[environment.name];
        const failedEarly = runOutcome === "failed-before-traffic";
        const rolledBack = runOutcome === "manual-rollback" || runOutcome === "auto-rollback";
        const steps = DEPLOY_STEPS[service.strategy];
        plan.releases.push({
          id: releaseId,
          serviceId: service.id,
          environmentId: environment.id,
          imageRef: image,
          imageRepository: repository,
          imageTag: version,
          strategy: service.strategy,
          changeSummary: summary,
          status: failedEarly ? "FAILED" : rolledBack ? "ROLLED_BACK" : "DEPLOYED",
          revision: 1,
          createdById: manager,
          deployedAt: failedEarly ? null : at(finished),
          commitSha,
          committedAt: at(committedAt),
          createdAt: at(createdAt),
        });
        plan.revisions.push({
          id: id(),
          releaseId,
          revision: 1,
          imageRef: image,
          strategy: service.strategy,
          environmentId: environment.id,
          changeSummary: summary,
          createdById: manager,
          createdAt: at(createdAt),
        });
        if (failedEarly) {
          const failed = FAILED_STEPS[service.strategy];
          const upTo = steps.slice(0, steps.indexOf(failed.stop) + 1);
          const end = started + between(1, 3) * MINUTE;
          plan.runs.push({
            id: runId,
            kind: "DEPLOY",
            status: "FAILED",
            releaseId,
            revision: 1,
            serviceId: service.id,
            environmentId: environment.id,
            strategy: service.strategy,
            fromImage,
            toImage: image,
            requestedById: manager,
            outcome: `${failed.stop}: pods of ${version} never became ready (CrashLoopBackOff); traffic stayed on ${fromImage ?? "the live version"}`,
            currentStep: failed.recovery.at(-1),
            createdAt: at(started - 2000),
            startedAt: at(started),
            finishedAt: at(end),
          });
          events(runId, started, [
            ...upTo.map((step) => ({
              step,
              phase: (step === failed.stop ? "ERROR" : "AFTER") as RunEventPhase,
              message: step === failed.stop ? "progress deadline exceeded: 0 of 2 pods ready" : `${step} done`,
            })),
            ...failed.recovery.map((step) => ({
              step,
              phase: "AFTER" as RunEventPhase,
              message: `recovery: ${step} done`,
            })),
          ]);
          continue;
        }
        plan.runs.push({
          id: runId,
          kind: "DEPLOY",
          status: "SUCCEEDED",
          releaseId,
          revision: 1,
          serviceId: service.id,
          environmentId: environment.id,
          strategy: service.strategy,
          fromImage,
          toImage: image,
          requestedById: manager,
          outcome: `${image} is live`,
          currentStep: steps.at(-1),
          verification: service.strategy === "CANARY" ? null : runOutcome === "auto-rollback" ? "BREACHED" : "VERIFIED",
          verifyUntil: service.strategy === "CANARY" ? null : at(switched + 10 * MINUTE),
          verificationNote:
            runOutcome === "auto-rollback" ? "error rate 2.4 % over the limit of 0.1 % (5 min after the switch)" : null,
          createdAt: at(started - 2000),
          startedAt: at(started),
          trafficSwitchedAt: at(switched),
          finishedAt: at(finished),
        });
        events(
          runId,
          started,
          steps.map((step) => ({
            step,
            phase: "AFTER" as RunEventPhase,
            message:
              step === "traffic-steps"
                ? "5 % → 25 % → 50 % → 100 %: canary analysis passed at each step"
                : `${step} done`,
          })),
        );
        const previousGood = good[environment.name].at(-1) ?? fromImage;
        live[environment.name] = image;
        good[environment.name].push(image);
        if (!isProduction || runOutcome === "ok") continue;

        // A failure in production: an incident, and for rollbacks the run that put the last good version back.
        const incidentId = id();
        const automatic = runOutcome === "auto-rollback";
        const opened = automatic ? switched + between(2, 6) * MINUTE : finished + between(10, 120) * MINUTE;
        const acknowledged = opened + between(2, 14) * MINUTE;
        let restored: number;
        let rollbackRunId: string | null = null;
        if (rolledBack && previousGood) {
          rollbackRunId = id();
          const rbStart = automatic ? opened + 10_000 : acknowledged + between(5, 30) * MINUTE;
          const rbEnd = rbStart + between(20, 90) * 1000;
          plan.runs.push({
            id: rollbackRunId,
            kind: "ROLLBACK",
            status: "SUCCEEDED",
            serviceId: service.id,
            environmentId: environment.id,
            strategy: service.strategy,
            fromImage: image,
            toImage: previousGood,
            requestedById: automatic ? null : onCall,
            reason: automatic ? "verification window: error rate over its limit" : `errors since ${version}`,
            outcome: `rolled back to ${previousGood}`,
            currentStep: ROLLBACK_STEPS[service.strategy].at(-1),
            createdAt: at(rbStart - 1000),
            startedAt: at(rbStart),
            trafficSwitchedAt: at(rbStart + 5000),
            finishedAt: at(rbEnd),
          });
          events(
            rollbackRunId,
            rbStart,
            ROLLBACK_STEPS[service.strategy].map((step) => ({
              step,
              phase: "AFTER" as RunEventPhase,
              message: `${step} done`,
            })),
          );
          restored = rbEnd;
          live.production = previousGood;
          good.production = good.production.filter((g) => g !== image);
        } else {
          restored = acknowledged + between(0.5, 5) * HOUR;
        }
        const severity = rolledBack ? "P2" : "P3";
        const resolved = restored + between(0.5, 4) * HOUR;
        const title = automatic
          ? `${service.name}: error rate breached after ${version}, rolled back automatically`
          : rolledBack
            ? `${service.name}: checkout errors after ${version}`
            : `${service.name}: slow responses after ${version}`;
        plan.incidents.push({
          id: incidentId,
          title,
          summary: rolledBack
            ? `Errors rose after ${version} went live; rolled back to ${previousGood}.`
            : `P95 latency over 300 ms after ${version}; fixed forward.`,
          severity,
          status: "RESOLVED",
          source: automatic ? "AUTO_ROLLBACK" : "MANUAL",
          serviceId: service.id,
          environmentId: environment.id,
          releaseId,
          commanderId: onCall,
          openedById: automatic ? null : onCall,
          openedAt: at(opened),
          acknowledgedAt: at(acknowledged),
          acknowledgedById: onCall,
          restoredAt: at(restored),
          resolvedAt: at(resolved),
          resolvedById: onCall,
          resolution: rolledBack
            ? `Rolled back to ${previousGood}; the fix ships in the next release.`
            : "A configuration fix brought latency back under the target.",
          ...(severity === "P2"
            ? {
                impact: `About ${Math.round(between(2, 9))} % of requests failed for ${Math.round((restored - opened) / MINUTE)} minutes.`,
                rootCause: "A connection pool sized for the old version ran out under peak load.",
                wentWell: automatic
                  ? "The verification window caught it and rolled back before anyone was paged."
                  : "The rollback took one click and under two minutes.",
              }
            : {}),
        });
        plan.incidentRuns.push({ incidentId, runId, relation: "cause", createdAt: at(opened) });
        if (rollbackRunId)
          plan.incidentRuns.push({ incidentId, runId: rollbackRunId, relation: "remedy", createdAt: at(restored) });
        timeline(incidentId, [
          {
            kind: automatic ? "SLI_BREACH" : "DETECT",
            at: opened,
            message: automatic
              ? "error rate 2.4 % (limit 0.1 %) during the verification window"
              : "on-call opened the incident",
            actorId: automatic ? null : onCall,
          },
          { kind: "LINK", at: opened + 1000, message: `deploy of ${version} linked as the cause`, runId },
          { kind: "ACKNOWLEDGE", at: acknowledged, message: "acknowledged", actorId: onCall },
          {
            kind: "COMMUNICATE",
            at: acknowledged + 3 * MINUTE,
            message: "status page updated: investigating",
            actorId: onCall,
          },
          ...(rollbackRunId
            ? [
                {
                  kind: "ROLLBACK" as const,
                  at: restored,
                  message: `rolled back to ${previousGood}`,
                  runId: rollbackRunId,
                  actorId: automatic ? null : onCall,
                },
              ]
            : [
                {
                  kind: "REMEDIATE" as const,
                  at: restored - MINUTE,
                  message: "connection pool limit raised",
                  actorId: onCall,
                },
              ]),
          { kind: "STATUS_CHANGE", at: restored + 30_000, message: "investigating → monitoring", actorId: onCall },
          { kind: "STATUS_CHANGE", at: resolved, message: "monitoring → resolved", actorId: onCall },
          ...(severity === "P2"
            ? [{ kind: "DOCUMENT" as const, at: resolved + 2 * HOUR, message: "postmortem written", actorId: onCall }]
            : []),
        ]);
        if (severity === "P2")
          plan.actionItems.push({
            id: id(),
            incidentId,
            title: "Load-test connection pool sizes before each release",
            ownerId: person("devops.lead"),
            dueAt: at(resolved + 14 * DAY),
            doneAt: resolved + 7 * DAY < now ? at(resolved + 7 * DAY) : null,
            createdById: onCall,
            createdAt: at(resolved + 2 * HOUR),
          });
      }
    });
  }
  plan.releases.sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime());
  plan.incidents.sort((a, b) => (a.openedAt as Date).getTime() - (b.openedAt as Date).getTime());
  return plan;
}

export interface DemoHistoryResult {
  seeded: boolean;
  releases: number;
  runs: number;
  incidents: number;
}

/** Writes the plan once; see the file comment for when it is skipped. */
export async function seedDemoHistory(db: Db, options: { now?: Date } = {}): Promise<DemoHistoryResult> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('greenlight:demo-history'))`;
      const skipped = { seeded: false, releases: 0, runs: 0, incidents: 0 };
      if (await tx.systemSetting.findUnique({ where: { key: DEMO_HISTORY_KEY } })) return skipped;
      if ((await tx.deploymentRun.count()) > 0) return skipped;
      const services = await tx.service.findMany({
        where: { name: { in: DEMO_SERVICES.map((s) => s.name) } },
        select: { id: true, name: true },
      });
      if (services.length === 0) return skipped;
      const users = await tx.user.findMany({ select: { id: true, email: true } });
      const plan = planDemoHistory({
        now: options.now ?? new Date(),
        services: DEMO_SERVICES.filter((s) => services.some((x) => x.name === s.name)).map((s) => ({
          id: services.find((x) => x.name === s.name)!.id,
          name: s.name,
          strategy: s.strategy,
          image: s.image,
        })),
        environments: await tx.environment.findMany({ select: { id: true, name: true, requiresApproval: true } }),
        people: Object.fromEntries(users.map((u) => [u.email.split("@")[0], u.id])),
      });
      await tx.release.createMany({ data: plan.releases });
      await tx.releaseRevision.createMany({ data: plan.revisions });
      await tx.checklistItem.createMany({ data: plan.checklist });
      await tx.checklistTick.createMany({ data: plan.checklistTicks });
      await tx.approval.createMany({ data: plan.approvals });
      await tx.deploymentRun.createMany({ data: plan.runs });
      await tx.runEvent.createMany({ data: plan.events });
      await tx.incident.createMany({ data: plan.incidents });
      await tx.incidentRun.createMany({ data: plan.incidentRuns });
      await tx.incidentEvent.createMany({ data: plan.incidentEvents });
      await tx.postmortemActionItem.createMany({ data: plan.actionItems });
      const result = {
        seeded: true,
        releases: plan.releases.length,
        runs: plan.runs.length,
        incidents: plan.incidents.length,
      };
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "seed.demo-history",
        targetType: "installation",
        targetId: "greenlight",
        after: { days: DEMO_HISTORY_DAYS, ...result },
      });
      await tx.systemSetting.create({
        data: { key: DEMO_HISTORY_KEY, value: { version: DEMO_HISTORY_VERSION, ...result } },
      });
      return result;
    },
    { timeout: 60_000 },
  );
}
