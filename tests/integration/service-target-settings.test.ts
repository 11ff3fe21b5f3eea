import { beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/current-user";
import { analysisRules } from "@/lib/deploy/targets";
import { serviceTargetSettingsSchema, type ServiceTargetSettings } from "@/lib/schemas/service-targets";
import { listServiceTargetSettings } from "@/lib/settings/queries";
import { updateServiceTarget } from "@/lib/settings/service-targets";
import { seedDemo } from "@/tests/support/fixtures";

// The server action runs as whoever this says is signed in; Next's cache is not there in tests.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/current-user", async (original) => ({
  ...(await original<typeof import("@/lib/auth/current-user")>()),
  getCurrentUser: async () => session.user,
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
const { updateServiceTargetAction } = await import("@/lib/actions/settings/service-targets");

let f: Awaited<ReturnType<typeof seedDemo>>;
let targetId: string;
beforeAll(async () => {
  f = await seedDemo();
  targetId = (
    await f.db.serviceTarget.findUniqueOrThrow({
      where: { serviceId_environmentId: { serviceId: f.checkout.id, environmentId: f.production.id } },
    })
  ).id;
});

const form = (change: Record<string, unknown> = {}) => ({
  targetId,
  metricsSelector: 'app="checkout",namespace="shop-production",track!="shadow"',
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
  autoRollback: false,
  canarySteps: "10, 50, 100",
  canaryPauseSeconds: "30",
  ...change,
});

const target = () => f.db.serviceTarget.findUniqueOrThrow({ where: { id: targetId } });
const audits = () => f.db.auditLog.count({ where: { action: "service_target.update", targetId } });

/** Runs `attempt` and checks that neither the target nor the audit log moved. */
async function expectNothingChanged(attempt: () => Promise<unknown>) {
  const [row, entries] = await Promise.all([target(), audits()]);
  await attempt();
  expect(await target()).toEqual(row);
  expect(await audits()).toBe(entries);
}

describe("service target settings", () => {
  it("lists every target, by service and then in environment order", async () => {
    const targets = await listServiceTargetSettings();
    expect(targets).toHaveLength(await f.db.serviceTarget.count());
    expect(targets.map((t) => `${t.service.name}/${t.environment.name}`)).toEqual([
      "catalog/staging",
      "catalog/production",
      "checkout/staging",
      "checkout/production",
      "search/staging",
      "search/production",
    ]);
    expect(targets.find((t) => t.id === targetId)).toMatchObject({
      service: { name: "checkout" },
      environment: { name: "production" },
    });
  });

  it("an admin's change is stored in ratios and seconds and audited with the changed fields only", async () => {
    const before = await target();
    expect(before).toMatchObject({
      maxErrorRate: null,
      minRequests: null,
      verifyWindowSeconds: 600,
      autoRollback: true,
      canarySteps: [5, 25, 50, 100],
      canaryPauseSeconds: 60,
      statusLabel: "status",
    });

    const result = await updateServiceTarget(f.admin, serviceTargetSettingsSchema.parse(form()));
    expect(result.serviceName).toBe("checkout");

    const after = await target();
    expect(after).toMatchObject({
      metricsSelector: 'app="checkout",namespace="shop-production",track!="shadow"',
      statusLabel: "code",
      maxErrorRate: 0.005,
      maxLatencyP95: 0.25,
      maxLatencyP99: null,
      minRequests: 80,
      verifyWindowSeconds: 300,
      autoRollback: false,
      canarySteps: [10, 50, 100],
      canaryPauseSeconds: 30,
    });
    // The analysis reads the stored units as it expects them; the unset P99 keeps the SLI table's line.
    expect(analysisRules(after)).toEqual([
      { sli: "error_rate", max: 0.005 },
      { sli: "latency_p95", max: 0.25 },
      { sli: "latency_p99", max: 1 },
    ]);

    const entry = await f.db.auditLog.findFirstOrThrow({
      where: { action: "service_target.update", targetId },
      orderBy: { id: "desc" },
    });
    expect(entry).toMatchObject({
      actorId: f.admin.id,
      targetType: "service_target",
      metadata: { service: "checkout", environment: "production" },
    });
    expect(entry.before).toEqual({
      metricsSelector: before.metricsSelector,
      statusLabel: "status",
      maxErrorRate: null,
      maxLatencyP95: null,
      minRequests: null,
      verifyWindowSeconds: 600,
      autoRollback: true,
      canarySteps: [5, 25, 50, 100],
      canaryPauseSeconds: 60,
    });
    expect(entry.after).toEqual({
      metricsSelector: 'app="checkout",namespace="shop-production",track!="shadow"',
      statusLabel: "code",
      maxErrorRate: 0.005,
      maxLatencyP95: 0.25,
      minRequests: 80,
      verifyWindowSeconds: 300,
      autoRollback: false,
      canarySteps: [10, 50, 100],
      canaryPauseSeconds: 30,
    });
  });

  it("saving an unchanged form writes nothing and logs nothing", async () => {
    await expectNothingChanged(async () => {
      expect((await updateServiceTarget(f.admin, serviceTargetSettingsSchema.parse(form()))).changed).toEqual([]);
    });
  });

  it("refuses a release manager with FORBIDDEN and changes nothing", async () => {
    await expectNothingChanged(() =>
      expect(
        updateServiceTarget(f.releaseManager, serviceTargetSettingsSchema.parse(form({ verifyWindowSeconds: "0" }))),
      ).rejects.toMatchObject({ code: "FORBIDDEN" }),
    );
  });

  it("refuses a value that would change a query even when a caller skipped the form", async () => {
    const parsed = serviceTargetSettingsSchema.parse(form({ minRequests: "5" }));
    const unsafe: ServiceTargetSettings = {
      ...parsed,
      metricsSelector: 'app="x"}) or vector(1) #',
      requestsMetric: "up or vector(1)",
    };
    await expectNothingChanged(() =>
      expect(updateServiceTarget(f.admin, unsafe)).rejects.toMatchObject({
        code: "INVALID",
        fieldErrors: {
          metricsSelector: [expect.stringContaining("label matchers")],
          requestsMetric: [expect.any(String)],
        },
      }),
    );
  });

  it("answers NOT_FOUND for a target that does not exist", async () => {
    await expect(
      updateServiceTarget(f.admin, { ...serviceTargetSettingsSchema.parse(form()), targetId: "cmnosuchtarget" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  describe("through the server action", () => {
    it("saves an admin's form and reports how many settings changed", async () => {
      session.user = f.admin;
      expect(await updateServiceTargetAction(form({ maxLatencyP99Ms: "900" }))).toEqual({
        ok: true,
        data: { changed: 1 },
      });
      expect((await target()).maxLatencyP99).toBe(0.9);
    });

    it("refuses a release manager, and a viewer, before reading the form", async () => {
      for (const user of [f.releaseManager, f.viewer]) {
        session.user = user;
        await expectNothingChanged(async () => {
          expect(await updateServiceTargetAction(form({ autoRollback: true }))).toMatchObject({
            ok: false,
            error: { code: "FORBIDDEN" },
          });
        });
      }
    });

    it.each([
      ["a selector injection", { metricsSelector: 'app="x"}) or vector(1) #' }, "metricsSelector"],
      ["steps that do not end with 100", { canarySteps: "10, 50" }, "canarySteps"],
      ["a zero pause", { canaryPauseSeconds: "0" }, "canaryPauseSeconds"],
      ["a P99 limit below the P95 limit", { maxLatencyP95Ms: "500", maxLatencyP99Ms: "400" }, "maxLatencyP99Ms"],
    ])("refuses %s with a field error and changes nothing", async (_name, change, field) => {
      session.user = f.admin;
      await expectNothingChanged(async () => {
        const result = await updateServiceTargetAction(form(change));
        expect(result).toMatchObject({ ok: false, error: { code: "INVALID" } });
        expect(result.ok ? {} : result.error.fieldErrors).toHaveProperty(field);
      });
    });
  });
});
