/**
 * The demo history `npm start` seeds: deterministic, written once, ending with the versions the
 * sandbox's demo workloads run, and never leading the rollback button astray. For each demo
 * target the rollback preview is read from a real sandbox before and after the history is seeded.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "@greenlight/sandbox-cluster";
import { demoImage, seedDemoWorkload } from "@greenlight/sandbox-cluster/demo-seed";
import { liveState } from "@/lib/deploy/live/live-state";
import { chooseRollbackImage, type RunRecord } from "@/lib/deploy/rollback/last-good";
import { rollbackCandidates, rollbackHistory, type RollbackPreview } from "@/lib/deploy/rollback/preview";
import { deployTarget } from "@/lib/deploy/targets";
import { deliveryMetrics } from "@/lib/history/metrics";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { planDemoHistory, seedDemoHistory, versionsEndingWith, type DemoHistoryInput } from "@/lib/seed/demo-history";
import { DEMO_SERVICES } from "@/lib/seed/seed";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
let sandbox: Sandbox;
let dir: string;
let gateway: ClusterGateway;
const now = new Date("2026-12-04T09:00:00Z");

async function targets() {
  return f.db.serviceTarget.findMany({
    include: { service: true, environment: true },
    orderBy: [{ service: { name: "asc" } }, { environment: { position: "asc" } }],
  });
}

async function previews(): Promise<Map<string, { preview: RollbackPreview; live?: string }>> {
  const result = new Map<string, { preview: RollbackPreview; live?: string }>();
  for (const t of await targets()) {
    const state = await liveState(
      deployTarget(t, t.service.name),
      t.defaultStrategy,
      t.serviceId,
      t.environmentId,
      () => gateway,
    );
    result.set(`${t.service.name}/${t.environment.name}`, { preview: state.rollback, live: state.image });
  }
  return result;
}

let before: Awaited<ReturnType<typeof previews>>;

beforeAll(async () => {
  f = await seedDemo();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-demo-history-"));
  sandbox = await startSandbox({ kubeconfigDir: dir, loadGenerator: false });
  await seedDemoWorkload(sandbox.kubeConfig());
  gateway = new ClusterGateway(sandbox.kubeConfig(), { timeoutMs: 5000 });
  before = await previews();
});

afterAll(async () => {
  await sandbox?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the demo history", () => {
  it("is the same plan for the same day, and versions count down to the live one", async () => {
    const input: DemoHistoryInput = {
      now,
      services: DEMO_SERVICES.map((s, i) => ({ id: `s${i}`, name: s.name, strategy: s.strategy, image: s.image })),
      environments: [
        { id: "e0", name: "staging", requiresApproval: false },
        { id: "e1", name: "production", requiresApproval: true },
      ],
      people: Object.fromEntries(
        [
          "cto",
          "eng.lead",
          "devops.lead",
          "security.lead",
          "product.lead",
          "support.head",
          "release.manager",
          "oncall",
        ].map((p) => [p, `u-${p}`]),
      ),
    };
    expect(planDemoHistory(input)).toEqual(planDemoHistory(input));
    expect(versionsEndingWith("1.4.2", 4, () => 0.5)).toEqual(["1.3.3", "1.4.0", "1.4.1", "1.4.2"]);
  });

  it("is seeded once: 90 days of releases, sign-offs, runs with steps and resolved incidents", async () => {
    const first = await seedDemoHistory(f.db, { now });
    expect(first.seeded).toBe(true);
    expect(first.releases).toBeGreaterThan(100);
    expect(first.incidents).toBeGreaterThan(2);
    const again = await seedDemoHistory(f.db, { now });
    expect(again.seeded).toBe(false);
    expect(await f.db.release.count()).toBe(first.releases);
    expect(await f.db.deploymentRun.count()).toBe(first.runs);

    const oldest = await f.db.release.findFirstOrThrow({ orderBy: { createdAt: "asc" } });
    expect(now.getTime() - oldest.createdAt.getTime()).toBeLessThanOrEqual(90 * 86_400_000);
    expect(oldest.committedAt!.getTime()).toBeLessThan(oldest.createdAt.getTime());
    // Nothing left running, verifying, pending or open: the app's gates and queues see a quiet system.
    expect(await f.db.deploymentRun.count({ where: { status: { notIn: ["SUCCEEDED", "FAILED"] } } })).toBe(0);
    expect(await f.db.deploymentRun.count({ where: { verification: "VERIFYING" } })).toBe(0);
    expect(await f.db.release.count({ where: { status: { in: ["PENDING", "APPROVED", "DEPLOYING"] } } })).toBe(0);
    expect(await f.db.incident.count({ where: { status: { not: "RESOLVED" } } })).toBe(0);
    // Each production release carries the six sign-offs; runs have their step events.
    const production = await f.db.release.findFirstOrThrow({
      where: { environmentId: f.production.id },
      include: { approvals: true, runs: { include: { events: true } } },
    });
    expect(new Set(production.approvals.map((a) => a.role)).size).toBe(6);
    expect(production.runs[0].events.length).toBeGreaterThanOrEqual(3);
    // Some failures of each kind.
    expect(await f.db.deploymentRun.count({ where: { kind: "ROLLBACK" } })).toBeGreaterThan(0);
    expect(await f.db.incident.count({ where: { NOT: { impact: null } } })).toBeGreaterThan(0);
    expect(await f.db.incidentEvent.count()).toBeGreaterThan(first.incidents * 4);
  });

  it("ends with the images the sandbox runs, and every demo target's newest good version is the live one", async () => {
    const after = await previews();
    for (const t of await targets()) {
      const key = `${t.service.name}/${t.environment.name}`;
      const live = demoImage(t.service.name as "checkout" | "catalog" | "search");
      expect(after.get(key)!.live, key).toBe(live);
      const newest = await f.db.deploymentRun.findFirstOrThrow({
        where: { serviceId: t.serviceId, environmentId: t.environmentId, kind: "DEPLOY", status: "SUCCEEDED" },
        orderBy: { finishedAt: "desc" },
      });
      expect(newest.toImage, key).toBe(live);
      const { candidates } = rollbackCandidates(await rollbackHistory(t.serviceId, t.environmentId));
      expect(candidates[0], key).toBe(live);
    }
  });

  it("the rollback preview of each demo target: before, nothing to go back to; after, the version before the live one", async () => {
    const after = await previews();
    for (const t of await targets()) {
      const key = `${t.service.name}/${t.environment.name}`;
      // Without history the log knows no good version, so the button refuses.
      expect(before.get(key)!.preview.ready, key).toBe(false);
      expect(before.get(key)!.preview.detail, key).toContain("nothing to roll back to");
      // With it, the previous version that served well (never a newer one, never a bad one).
      const history = await rollbackHistory(t.serviceId, t.environmentId);
      const { verdicts } = rollbackCandidates(history);
      const previous = await f.db.deploymentRun.findMany({
        where: { serviceId: t.serviceId, environmentId: t.environmentId, kind: "DEPLOY", status: "SUCCEEDED" },
        orderBy: { finishedAt: "desc" },
        take: 2,
      });
      const preview = after.get(key)!.preview;
      expect(preview.ready, `${key}: ${preview.detail}`).toBe(true);
      expect(preview.intent?.rollbackTo, key).toBe(previous[1].toImage);
      expect(verdicts.get(previous[1].toImage!)?.good, key).toBe(true);
      expect(preview.intent?.expectLiveImage, key).toBe(after.get(key)!.live);
    }
  });

  it("after a new deploy, the rollback goes back to the version it replaced, with or without the history", async () => {
    for (const t of await targets()) {
      const key = `${t.service.name}/${t.environment.name}`;
      const live = demoImage(t.service.name as "checkout" | "catalog" | "search");
      const next = `${live}-next`;
      const deploy: RunRecord = {
        kind: "DEPLOY",
        status: "SUCCEEDED",
        fromImage: live,
        toImage: next,
        verification: "VERIFIED",
        startedAt: now,
        trafficSwitchedAt: new Date(now.getTime() + 60_000),
        finishedAt: new Date(now.getTime() + 90_000),
      };
      const choose = (history: RunRecord[]) => {
        const { candidates, verdicts } = rollbackCandidates(history);
        return chooseRollbackImage(candidates, [next], verdicts).image;
      };
      const withHistory = choose([...(await rollbackHistory(t.serviceId, t.environmentId)), deploy]);
      expect(withHistory, key).toBe(choose([deploy]));
      expect(withHistory, key).toBe(live);
    }
  });

  it("gives History something to show", async () => {
    const [overall] = await deliveryMetrics(f.db, { from: new Date(now.getTime() - 30 * 86_400_000), to: now });
    expect(overall.current.deploys).toBeGreaterThan(10);
    expect(overall.current.leadTimeSeconds).not.toBeNull();
    expect(overall.previous.deploys).toBeGreaterThan(10);
  });
});
