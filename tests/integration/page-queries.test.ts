import { beforeAll, describe, expect, it } from "vitest";
import { signableRoles } from "@/lib/approvals/policy";
import { releasesWaitingForSignOff, waitingForMe } from "@/lib/approvals/queries";
import { signRelease } from "@/lib/approvals/sign";
import { auditLogPage } from "@/lib/audit/queries";
import { loadUser, type CurrentUser } from "@/lib/auth/current-user";
import { countActiveRuns } from "@/lib/deploy/queries";
import { countOpenIncidents, listRecentIncidents } from "@/lib/incidents/queries";
import { listDemoAccounts, listPeople } from "@/lib/people/queries";
import { createRelease } from "@/lib/releases/create-release";
import { recentReleases, releaseDetail, releaseHistory } from "@/lib/releases/queries";
import { serviceAndEnvironmentIds } from "@/lib/services/queries";
import { listEnvironmentSettings, listServiceTargetSettings } from "@/lib/settings/queries";
import { seedDemo } from "@/tests/support/fixtures";

// The pages' reads, against the demo data: what the pages render from (e2e drives the pages).
let f: Awaited<ReturnType<typeof seedDemo>>;
let cto: CurrentUser;
beforeAll(async () => {
  f = await seedDemo();
  cto = (await loadUser((await f.db.user.findUniqueOrThrow({ where: { email: "cto@greenlight.local" } })).id))!;
});

describe("the release page's read", () => {
  it("loads the release once with its gate, runs and who may sign", async () => {
    const created = await createRelease(f.releaseManager, {
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      imageRef: "registry.greenlight.local/shop/checkout:8.0.0",
      strategy: "ROLLING",
      changeSummary: "Page read.",
      links: [],
    });
    const detail = (await releaseDetail(created.id))!;
    expect(detail.release).toMatchObject({
      id: created.id,
      revision: 1,
      createdBy: { name: "Riley Morgan" },
      service: { displayName: f.checkout.displayName },
    });
    expect(detail.release.checklist.map((c) => c.position)).toEqual(
      [...detail.release.checklist.map((c) => c.position)].sort((a, b) => a - b),
    );
    expect(detail.release.revisions.map((r) => r.createdBy.name)).toEqual(["Riley Morgan"]);
    expect(detail.gate.matrix.map((r) => r.state)).toEqual(Array(6).fill("waiting"));
    expect(detail).toMatchObject({ lastRun: null, activeRun: null });
    expect(signableRoles({ ...detail.gate.signing, user: cto })).toEqual(["CTO"]);
    expect(signableRoles({ ...detail.gate.signing, user: f.releaseManager })).toEqual([]);
    expect(await waitingForMe(cto)).toContain(created.id);

    await signRelease(cto, { releaseId: created.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" });
    const signed = (await releaseDetail(created.id))!;
    expect(signed.gate.matrix.find((r) => r.role === "CTO")).toMatchObject({
      state: "approved",
      signOff: { userName: "Casey Ortiz" },
    });
    expect(signableRoles({ ...signed.gate.signing, user: cto })).toEqual([]);
    expect((await releasesWaitingForSignOff(cto)).map((r) => r.id)).not.toContain(created.id);
  });

  it("is null for a release that does not exist", async () => {
    expect(await releaseDetail("no-such-release")).toBeNull();
  });
});

describe("the other pages' reads", () => {
  it("answer from the demo data", async () => {
    const history = await releaseHistory();
    expect(history.counts.map((c) => c.status)).toEqual(["DEPLOYED", "FAILED", "ROLLED_BACK"]);
    expect(history.releases.every((r) => ["DEPLOYED", "FAILED", "ROLLED_BACK"].includes(r.status))).toBe(true);
    expect(history.counts.reduce((n, c) => n + c.count, 0)).toBeGreaterThanOrEqual(history.releases.length);
    expect((await recentReleases(5)).length).toBeLessThanOrEqual(5);
    expect(await countActiveRuns()).toBe(0);
    expect(await countOpenIncidents()).toBe(
      (await listRecentIncidents()).filter((i) => i.status !== "RESOLVED").length,
    );
    const audit = await auditLogPage(1);
    expect(audit.pageCount).toBeGreaterThanOrEqual(1);
    expect(audit.entries.map((e) => e.id)).toEqual(
      [...audit.entries.map((e) => e.id)].sort((a, b) => (a < b ? 1 : -1)),
    );
    expect((await listEnvironmentSettings()).map((e) => e.name)).toEqual(
      expect.arrayContaining(["staging", "production"]),
    );
    expect((await listServiceTargetSettings()).length).toBeGreaterThan(0);
    expect((await listDemoAccounts()).map((a) => a.email)).toContain("cto@greenlight.local");
    expect((await listPeople()).length).toBeGreaterThanOrEqual(10);
    expect(await serviceAndEnvironmentIds("checkout", "production")).toEqual({
      serviceId: f.checkout.id,
      environmentId: f.production.id,
    });
    expect(await serviceAndEnvironmentIds("checkout", "nowhere")).toBeNull();
  });
});
