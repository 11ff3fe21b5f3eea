import { beforeAll, describe, expect, it } from "vitest";
import { OVERVIEW_CARDS, servicesOverview, servicesPage } from "@/lib/services/queries";
import { seedDemo } from "@/tests/support/fixtures";

// The overview shows a bounded set of service cards, those needing attention first.
let f: Awaited<ReturnType<typeof seedDemo>>;
let demoNames: string[];
beforeAll(async () => {
  f = await seedDemo();
  demoNames = (await f.db.service.findMany({ orderBy: { name: "asc" }, select: { name: true } })).map((s) => s.name);
});

async function addService(name: string) {
  return f.db.service.create({
    data: {
      name,
      displayName: name.toUpperCase(),
      targets: {
        create: {
          environmentId: f.staging.id,
          cluster: "kind",
          namespace: "shop",
          deploymentName: name,
          kubeServiceName: name,
        },
      },
    },
  });
}

function run(serviceId: string, status: "SUCCEEDED" | "FAILED" | "RUNNING", minutesAgo: number) {
  const at = new Date(Date.now() - minutesAgo * 60_000);
  return f.db.deploymentRun.create({
    data: {
      kind: "DEPLOY",
      status,
      serviceId,
      environmentId: f.staging.id,
      strategy: "ROLLING",
      toImage: `registry.example.com/x:${minutesAgo}`,
      startedAt: at,
      finishedAt: status === "RUNNING" ? null : at,
      createdAt: at,
    },
  });
}

describe("servicesOverview", () => {
  it("shows every demo service by name, nothing hidden", async () => {
    const { services, total } = await servicesOverview();
    expect(total).toBe(demoNames.length);
    expect(services.map((s) => s.name)).toEqual(demoNames);
    expect(services.every((s) => s.environments.length > 0)).toBe(true);
  });

  it("with 30 services shows 24 cards, those needing attention first", async () => {
    const added = [];
    for (let i = 1; added.length + demoNames.length < 30; i++)
      added.push(await addService(`zz-${String(i).padStart(2, "0")}`));
    // The last names by alphabet, so only the attention rule can bring them forward.
    const pending = added.at(-1)!;
    const inFlight = added.at(-2)!;
    const incident = added.at(-3)!;
    const failedLast = added.at(-4)!;
    const recovered = added.at(-5)!;
    await f.db.release.create({
      data: {
        serviceId: pending.id,
        environmentId: f.staging.id,
        imageRef: "registry.example.com/x:1",
        imageRepository: "registry.example.com/x",
        imageTag: "1",
        strategy: "ROLLING",
        changeSummary: "Waiting.",
        createdById: f.releaseManager.id,
      },
    });
    await run(inFlight.id, "RUNNING", 1);
    await f.db.incident.create({
      data: { title: "Down", severity: "P2", serviceId: incident.id, environmentId: f.staging.id },
    });
    await run(failedLast.id, "SUCCEEDED", 60);
    await run(failedLast.id, "FAILED", 30);
    await run(recovered.id, "FAILED", 60);
    await run(recovered.id, "SUCCEEDED", 30);

    const { services, total, needingAttention } = await servicesOverview();
    expect(total).toBe(30);
    expect(services).toHaveLength(OVERVIEW_CARDS);
    const names = services.map((s) => s.name);
    const attention = names.slice(0, needingAttention);
    expect(attention).toEqual(expect.arrayContaining([pending.name, inFlight.name, incident.name, failedLast.name]));
    expect(attention).not.toContain(recovered.name);
    // The rest follow by name.
    const rest = names.slice(needingAttention);
    expect(rest).toEqual([...rest].sort());
    expect(names).not.toContain(recovered.name);
    expect(services.find((s) => s.name === pending.name)!.environments[0].pendingReleases).toBe(1);
  });

  it("pages /services by name and finds one by part of its name", async () => {
    const all = await servicesPage();
    expect(all.total).toBe(30);
    expect(all.next).toBeNull();
    expect(all.services.map((s) => s.name)).toEqual([...all.services.map((s) => s.name)].sort());
    const after = await servicesPage({ after: "zz-20" });
    expect(after.services.map((s) => s.name)[0]).toBe("zz-21");
    const found = await servicesPage({ query: "ZZ-0" });
    expect(found.total).toBe(all.services.filter((s) => s.name.startsWith("zz-0")).length);
    expect(found.services.every((s) => s.name.startsWith("zz-0"))).toBe(true);
  });
});
