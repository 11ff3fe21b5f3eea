import { beforeAll, describe, expect, it } from "vitest";
import { releaseGate } from "@/lib/approvals/gate";
import { tickChecklistItem } from "@/lib/approvals/checklist";
import { signRelease, withdrawSignOff } from "@/lib/approvals/sign";
import { loadUser, type CurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { executeRun } from "@/lib/deploy/engine/executor";
import type { ClusterGateway } from "@/lib/k8s/gateway";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { createRelease } from "@/lib/releases/create-release";
import { updateRelease } from "@/lib/releases/update-release";
import { APPROVER_ROLES, type ApproverRole } from "@/lib/roles";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
const approvers = new Map<ApproverRole, CurrentUser[]>();

beforeAll(async () => {
  f = await seedDemo();
  await migrateJobQueue(process.env.DATABASE_URL!);
  // Ten people per approver role, so that many can race for each role.
  for (const role of APPROVER_ROLES) {
    const people: CurrentUser[] = [];
    for (let i = 0; i < 10; i++) {
      const user = await f.db.user.create({
        data: { email: `${role.toLowerCase()}-${i}@race.example`, name: `${role} ${i}`, roles: { create: [{ role }] } },
      });
      people.push((await loadUser(user.id))!);
    }
    approvers.set(role, people);
  }
});

async function productionRelease(tag: string) {
  return createRelease(f.releaseManager, {
    serviceId: f.checkout.id,
    environmentId: f.production.id,
    imageRef: `registry.greenlight.local/shop/checkout:${tag}`,
    strategy: "BLUE_GREEN",
    changeSummary: "Production change that needs six sign-offs.",
    links: [],
  });
}

async function signAll(releaseId: string, revision: number) {
  for (const role of APPROVER_ROLES)
    await signRelease(approvers.get(role)![0], { releaseId, revision, role, decision: "APPROVED", comment: "" });
}

async function tickAll(releaseId: string) {
  const { revision } = await getDb().release.findUniqueOrThrow({ where: { id: releaseId } });
  const items = await getDb().checklistItem.findMany({ where: { releaseId } });
  for (const item of items)
    await tickChecklistItem(f.releaseManager, {
      releaseId,
      itemId: item.id,
      revision,
      checked: true,
      evidenceUrl: item.evidenceRequired ? `https://ci.example.com/evidence/${item.position}` : undefined,
    });
}

describe("signing a release", () => {
  it("300 concurrent sign-off attempts over the six roles produce exactly six sign-offs", async () => {
    const release = await productionRelease("9.0.0");
    const attempts = APPROVER_ROLES.flatMap((role) =>
      approvers
        .get(role)!
        .flatMap((person) =>
          Array.from({ length: 5 }, () =>
            signRelease(person, { releaseId: release.id, revision: 1, role, decision: "APPROVED", comment: "" }),
          ),
        ),
    );
    expect(attempts).toHaveLength(300);
    const results = await Promise.allSettled(attempts);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(6);
    const errors = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => r.reason as { code?: string; message: string });
    expect(errors.every((e) => e.code === "CONFLICT")).toBe(true);
    // The loser is told who signed.
    expect(errors.some((e) => /^.+ already signed .+ for revision 1\.$/.test(e.message))).toBe(true);
    const signOffs = await getDb().approval.findMany({ where: { releaseId: release.id } });
    expect(signOffs).toHaveLength(6);
    expect(new Set(signOffs.map((s) => s.role)).size).toBe(6);
    expect(await getDb().auditLog.count({ where: { targetId: release.id, action: "approval.approve" } })).toBe(6);
  }, 60_000);

  it("refuses a role the person does not hold, an old revision, a rejection without comment, and the author", async () => {
    const release = await productionRelease("9.1.0");
    const cto = approvers.get("CTO")![1];
    await expect(
      signRelease(cto, {
        releaseId: release.id,
        revision: 1,
        role: "SECURITY_LEAD",
        decision: "APPROVED",
        comment: "",
      }),
    ).rejects.toThrow("You do not hold Security Lead");
    await expect(
      signRelease(cto, { releaseId: release.id, revision: 2, role: "CTO", decision: "APPROVED", comment: "" }),
    ).rejects.toThrow(/now at revision 1/);
    await expect(
      signRelease(cto, { releaseId: release.id, revision: 1, role: "CTO", decision: "REJECTED", comment: "  " }),
    ).rejects.toThrow("a rejection needs a comment");
    await expect(
      signRelease(f.viewer, { releaseId: release.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const author = await getDb().user.create({
      data: {
        email: "author-lead@race.example",
        name: "Author Lead",
        roles: { create: [{ role: "RELEASE_MANAGER" }, { role: "DEVOPS_LEAD" }] },
      },
    });
    const authorUser = (await loadUser(author.id))!;
    const own = await createRelease(authorUser, {
      serviceId: f.checkout.id,
      environmentId: f.production.id,
      imageRef: "registry.greenlight.local/shop/checkout:9.1.1",
      strategy: "ROLLING",
      changeSummary: "Written and signed by one person?",
      links: [],
    });
    await expect(
      signRelease(authorUser, {
        releaseId: own.id,
        revision: 1,
        role: "DEVOPS_LEAD",
        decision: "APPROVED",
        comment: "",
      }),
    ).rejects.toThrow("You wrote this release");
    expect(await getDb().approval.count({ where: { releaseId: { in: [release.id, own.id] } } })).toBe(0);
  });

  it("one person signs for one role only, even holding two", async () => {
    const release = await productionRelease("9.2.0");
    const both = await getDb().user.create({
      data: {
        email: "two-hats@race.example",
        name: "Two Hats",
        roles: { create: [{ role: "CTO" }, { role: "PRODUCT_LEAD" }] },
      },
    });
    const person = (await loadUser(both.id))!;
    await signRelease(person, { releaseId: release.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" });
    await expect(
      signRelease(person, {
        releaseId: release.id,
        revision: 1,
        role: "PRODUCT_LEAD",
        decision: "APPROVED",
        comment: "",
      }),
    ).rejects.toThrow("one person signs for one role");
  });

  it("a new revision voids earlier sign-offs, visibly and on the record", async () => {
    const release = await productionRelease("9.3.0");
    await signAll(release.id, 1);
    await tickAll(release.id);
    expect((await releaseGate(release.id)).green).toBe(true);
    await updateRelease(f.releaseManager, {
      releaseId: release.id,
      expectedRevision: 1,
      imageRef: "registry.greenlight.local/shop/checkout:9.3.1",
      strategy: "BLUE_GREEN",
      changeSummary: release.changeSummary,
      links: [],
    });
    const gate = await releaseGate(release.id);
    expect(gate.green).toBe(false);
    expect(gate.matrix.every((r) => r.state === "voided" && r.note === "voided by revision 2: image changed")).toBe(
      true,
    );
    expect(await getDb().auditLog.count({ where: { targetId: release.id, action: "approval.void" } })).toBe(6);
    await signAll(release.id, 2);
    // The checklist binds to the revision too: its ticks were voided with the sign-offs.
    expect((await releaseGate(release.id)).unmet.map((u) => u.kind)).toEqual(["checklist"]);
    await tickAll(release.id);
    expect((await releaseGate(release.id)).green).toBe(true);
  });

  it("a rejection blocks until that role approves a later revision or the rejecter withdraws it", async () => {
    const release = await productionRelease("9.4.0");
    await tickAll(release.id);
    const rejecter = approvers.get("SECURITY_LEAD")![2];
    for (const role of APPROVER_ROLES.filter((r) => r !== "SECURITY_LEAD"))
      await signRelease(approvers.get(role)![0], {
        releaseId: release.id,
        revision: 1,
        role,
        decision: "APPROVED",
        comment: "",
      });
    const rejection = await signRelease(rejecter, {
      releaseId: release.id,
      revision: 1,
      role: "SECURITY_LEAD",
      decision: "REJECTED",
      comment: "CVE in the base image",
    });
    expect((await releaseGate(release.id)).unmet.map((u) => u.kind)).toEqual(["rejection"]);
    await withdrawSignOff(rejecter, {
      releaseId: release.id,
      approvalId: rejection.conflict ? "" : rejection.approvalId,
    });
    expect((await releaseGate(release.id)).unmet.map((u) => u.kind)).toEqual(["approval"]);
    expect(
      await getDb().auditLog.count({
        where: { targetId: release.id, action: { in: ["approval.reject", "approval.withdraw"] } },
      }),
    ).toBe(2);
  });
});

describe("sign-offs that stopped counting", () => {
  it("an expired sign-off, or one whose signer lost the role, can be replaced by a fresh one", async () => {
    const release = await productionRelease("9.7.0");
    const [first, second, third] = approvers.get("DEVOPS_LEAD")!;
    await signRelease(first, {
      releaseId: release.id,
      revision: 1,
      role: "DEVOPS_LEAD",
      decision: "APPROVED",
      comment: "",
    });
    await getDb().approval.updateMany({
      where: { releaseId: release.id, role: "DEVOPS_LEAD" },
      data: { createdAt: new Date(Date.now() - 8 * 24 * 3_600_000) },
    });
    expect((await releaseGate(release.id)).matrix.find((r) => r.role === "DEVOPS_LEAD")?.state).toBe("expired");
    await signRelease(second, {
      releaseId: release.id,
      revision: 1,
      role: "DEVOPS_LEAD",
      decision: "APPROVED",
      comment: "",
    });
    expect((await releaseGate(release.id)).matrix.find((r) => r.role === "DEVOPS_LEAD")).toMatchObject({
      state: "approved",
      signOff: { userId: second.id },
    });
    // The second signer leaves the role; a third person takes the slot.
    await getDb().roleAssignment.deleteMany({ where: { userId: second.id, role: "DEVOPS_LEAD" } });
    expect((await releaseGate(release.id)).matrix.find((r) => r.role === "DEVOPS_LEAD")?.note).toMatch(
      /no longer holds DevOps Lead/,
    );
    await signRelease(third, {
      releaseId: release.id,
      revision: 1,
      role: "DEVOPS_LEAD",
      decision: "APPROVED",
      comment: "",
    });
    expect((await releaseGate(release.id)).matrix.find((r) => r.role === "DEVOPS_LEAD")).toMatchObject({
      state: "approved",
      signOff: { userId: third.id },
    });
    expect(await getDb().auditLog.count({ where: { targetId: release.id, action: "approval.void" } })).toBe(2);
  });
});

describe("the deploy gate", () => {
  it("refuses to deploy a production release whose gate is red, saying why", async () => {
    const release = await productionRelease("9.5.0");
    await expect(requestDeploy(f.releaseManager, release.id)).rejects.toThrow(
      /The gate is not green: CTO \/ VP Engineering has not signed yet; .*required checklist items unchecked/,
    );
    expect(await getDb().deploymentRun.count({ where: { releaseId: release.id } })).toBe(0);
  });

  it("the job refuses when the gate turned red after the click, before touching the cluster", async () => {
    const release = await productionRelease("9.6.0");
    await signAll(release.id, 1);
    await tickAll(release.id);
    const run = await requestDeploy(f.releaseManager, release.id);
    // After the click, before the worker starts: the CTO withdraws.
    const cto = await getDb().approval.findFirstOrThrow({ where: { releaseId: release.id, role: "CTO" } });
    await withdrawSignOff(approvers.get("CTO")![0], { releaseId: release.id, approvalId: cto.id });
    // A gateway that fails the test if anything reaches the cluster.
    const untouchable = new Proxy({} as ClusterGateway, {
      get: () => () => {
        throw new Error("the cluster was touched");
      },
    });
    expect(await executeRun(run.id, { workerId: "gate-check", gateway: () => untouchable })).toBe("finished");
    const finished = await getDb().deploymentRun.findUniqueOrThrow({
      where: { id: run.id },
      include: { events: true },
    });
    expect(finished.status).toBe("FAILED");
    expect(finished.outcome).toMatch(
      /^the gate turned red before the deploy touched the cluster: CTO \/ VP Engineering has not signed yet/,
    );
    expect(finished.events.some((e) => e.step === "inspect")).toBe(false);
    expect((await getDb().release.findUniqueOrThrow({ where: { id: release.id } })).status).toBe("PENDING");
  });
});
