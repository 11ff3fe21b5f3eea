import { beforeAll, describe, expect, it } from "vitest";
import { HISTORY_SERVICE_ROWS, historyMetrics, historyMetricsForPage } from "@/lib/history/queries";
import { parseHistoryQuery } from "@/lib/schemas/history";
import { seedDemo } from "@/tests/support/fixtures";

// History's per-service table is bounded: the services with the most deploys in the period.
let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});

async function deployTo(serviceId: string, hoursAgo: number) {
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  const release = await f.db.release.create({
    data: {
      serviceId,
      environmentId: f.production.id,
      imageRef: `registry.example.com/x:${serviceId}-${hoursAgo}`,
      imageRepository: "registry.example.com/x",
      imageTag: `${serviceId}-${hoursAgo}`,
      strategy: "ROLLING",
      changeSummary: "History page fixture.",
      status: "DEPLOYED",
      createdById: f.releaseManager.id,
      createdAt: new Date(at.getTime() - 3_600_000),
    },
  });
  await f.db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status: "SUCCEEDED",
      serviceId,
      environmentId: f.production.id,
      releaseId: release.id,
      strategy: "ROLLING",
      createdAt: at,
      startedAt: at,
      trafficSwitchedAt: at,
      finishedAt: at,
    },
  });
}

describe("historyMetricsForPage", () => {
  it("keeps every service in name order while they fit", async () => {
    const query = parseHistoryQuery({}, new Date());
    const page = await historyMetricsForPage(query);
    const all = await historyMetrics(query);
    expect(page.perService.map((r) => r.name)).toEqual(all.slice(1).map((r) => r.name));
    expect(page.totalServices).toBe(all.length - 1);
  });

  it("shows the 25 with the most deploys of 30, the CSV's read keeps all", async () => {
    const existing = await f.db.service.count();
    const added = [];
    for (let i = 1; existing + added.length < 30; i++) {
      const name = `zz-${String(i).padStart(2, "0")}`;
      added.push(
        await f.db.service.create({
          data: {
            name,
            displayName: name,
            targets: {
              create: {
                environmentId: f.production.id,
                cluster: "kind",
                namespace: "shop",
                deploymentName: name,
                kubeServiceName: name,
              },
            },
          },
        }),
      );
    }
    // The last by name, so only the deploy count can bring it into the table.
    const busiest = added.at(-1)!;
    for (const hoursAgo of [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]) await deployTo(busiest.id, hoursAgo);

    const query = parseHistoryQuery({}, new Date());
    const page = await historyMetricsForPage(query);
    const all = await historyMetrics(query);
    expect(page.totalServices).toBe(30);
    expect(all).toHaveLength(31);
    expect(page.perService).toHaveLength(HISTORY_SERVICE_ROWS);
    expect(page.perService.map((r) => r.name)).toContain(busiest.name);
    const deploys = page.perService.map((r) => r.current.deploys);
    expect(deploys).toEqual([...deploys].sort((a, b) => b - a));
    const fewestShown = Math.min(...deploys);
    const hidden = all.slice(1).filter((r) => !page.perService.some((p) => p.serviceId === r.serviceId));
    expect(hidden.every((r) => r.current.deploys <= fewestShown)).toBe(true);
    expect(page.overall).toEqual(all[0]);
  });
});
