import { beforeAll, describe, expect, it, vi } from "vitest";
import { releaseGate } from "@/lib/approvals/gate";
import { waitingForMe } from "@/lib/approvals/queries";
import { loadUser, type CurrentUser } from "@/lib/auth/current-user";
import { createRelease } from "@/lib/releases/create-release";
import { updateRelease } from "@/lib/releases/update-release";
import { APPROVER_ROLES } from "@/lib/roles";
import { seedDemo } from "@/tests/support/fixtures";

// The server actions run as whoever this says is signed in; Next's cache is not there in tests.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/current-user", async (original) => ({
  ...(await original<typeof import("@/lib/auth/current-user")>()),
  getCurrentUser: async () => session.user,
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
const { signReleaseAction, tickChecklistAction, withdrawSignOffAction } = await import("@/lib/actions/approvals/sign");
const { abortCanaryAction, promoteCanaryAction } = await import("@/lib/actions/runs/canary");

let f: Awaited<ReturnType<typeof seedDemo>>;
const signers = new Map<string, CurrentUser>();

beforeAll(async () => {
  f = await seedDemo();
  for (const role of APPROVER_ROLES) {
    const user = await f.db.user.create({
      data: { email: `${role.toLowerCase()}@trust.example`, name: `${role} signer`, roles: { create: [{ role }] } },
    });
    signers.set(role, (await loadUser(user.id))!);
  }
});

function as<T>(user: CurrentUser, act: () => Promise<T>): Promise<T> {
  session.user = user;
  return act();
}

async function person(email: string, roles: ("RELEASE_MANAGER" | "DEVOPS_LEAD" | "CTO")[]) {
  const user = await f.db.user.create({
    data: { email, name: email.split("@")[0], roles: { create: roles.map((role) => ({ role })) } },
  });
  return (await loadUser(user.id))!;
}

let tag = 0;
async function productionRelease(author: CurrentUser = f.releaseManager) {
  tag += 1;
  return createRelease(author, {
    serviceId: f.checkout.id,
    environmentId: f.production.id,
    imageRef: `registry.greenlight.local/shop/checkout:12.${tag}.0`,
    strategy: "BLUE_GREEN",
    changeSummary: "A change the gate must hold.",
    links: [],
  });
}

async function edit(user: CurrentUser, releaseId: string, expectedRevision: number) {
  tag += 1;
  return updateRelease(user, {
    releaseId,
    expectedRevision,
    imageRef: `registry.greenlight.local/shop/checkout:12.${tag}.1`,
    strategy: "BLUE_GREEN",
    changeSummary: "A change the gate must hold.",
    links: [],
  });
}

async function signAll(releaseId: string, revision: number) {
  for (const role of APPROVER_ROLES) {
    const result = await as(signers.get(role)!, () =>
      signReleaseAction({ releaseId, revision, role, decision: "APPROVED", comment: "" }),
    );
    expect(result).toMatchObject({ ok: true });
  }
}

const EVIDENCE = "https://ci.example.com/runs/1";

async function tickAll(releaseId: string, revision: number) {
  const items = await f.db.checklistItem.findMany({ where: { releaseId } });
  for (const item of items) {
    const result = await as(f.releaseManager, () =>
      tickChecklistAction({ releaseId, itemId: item.id, revision, checked: true, evidenceUrl: EVIDENCE }),
    );
    expect(result).toMatchObject({ ok: true });
  }
}

describe("whoever wrote a revision cannot sign the release", () => {
  it("refuses the editor of revision 2, with a message that says why, and offers them nothing", async () => {
    const editor = await person("editor-devops@trust.example", ["RELEASE_MANAGER", "DEVOPS_LEAD"]);
    const release = await productionRelease();
    expect(await waitingForMe(editor)).toContain(release.id);
    await edit(editor, release.id, 1);
    // Not listed as waiting for them either.
    expect(await waitingForMe(editor)).not.toContain(release.id);
    const refused = await as(editor, () =>
      signReleaseAction({ releaseId: release.id, revision: 2, role: "DEVOPS_LEAD", decision: "APPROVED", comment: "" }),
    );
    expect(refused).toEqual({
      ok: false,
      error: {
        code: "FORBIDDEN",
        message:
          "You edited revision 2 of this release; Production needs its sign-offs from people who did not write or change it.",
      },
    });
    // A third revision by someone else does not clear them.
    await edit(f.releaseManager, release.id, 2);
    const again = await as(editor, () =>
      signReleaseAction({ releaseId: release.id, revision: 3, role: "DEVOPS_LEAD", decision: "APPROVED", comment: "" }),
    );
    expect(again).toMatchObject({ ok: false, error: { message: /^You edited revision 2 of this release/ } });
    expect(await f.db.approval.count({ where: { releaseId: release.id } })).toBe(0);
    const gate = await releaseGate(release.id);
    expect(gate.signing.release.revisionAuthors).toContainEqual({ revision: 2, userId: editor.id });
  });

  it("does not count a sign-off its signer gave before editing the release", async () => {
    const editor = await person("editor-cto@trust.example", ["RELEASE_MANAGER", "CTO"]);
    const release = await productionRelease();
    await edit(editor, release.id, 1);
    // Written straight into the table, as a race or an older version of the app could have.
    await f.db.approval.create({
      data: { releaseId: release.id, revision: 2, role: "CTO", decision: "APPROVED", userId: editor.id },
    });
    const row = (await releaseGate(release.id)).matrix.find((r) => r.role === "CTO");
    expect(row).toMatchObject({
      state: "waiting",
      note: "editor-cto edited revision 2 of this release and cannot sign it",
    });
  });
});

describe("checklist ticks bind to a revision", () => {
  it("an edit voids the ticks (kept as history, on the record) and the gate asks for them again", async () => {
    const release = await productionRelease();
    await signAll(release.id, 1);
    await tickAll(release.id, 1);
    expect((await releaseGate(release.id)).green).toBe(true);

    await edit(f.releaseManager, release.id, 1);
    await signAll(release.id, 2);
    const gate = await releaseGate(release.id);
    expect(gate.green).toBe(false);
    expect(gate.unmet.map((u) => u.kind)).toEqual(["checklist"]);
    expect(gate.unmet[0].message).toMatch(/^10 required checklist items unchecked \(10 voided by an edit/);
    expect(
      gate.checklist.every((r) => r.state === "voided" && /^voided by revision 2: image changed/.test(r.note!)),
    ).toBe(true);
    expect(await f.db.checklistTick.count({ where: { releaseId: release.id, revision: 1 } })).toBe(10);
    expect(await f.db.auditLog.count({ where: { targetId: release.id, action: "checklist.void" } })).toBe(10);

    // A page still showing revision 1 cannot tick revision 2 blind.
    const item = await f.db.checklistItem.findFirstOrThrow({ where: { releaseId: release.id } });
    const stale = await as(f.releaseManager, () =>
      tickChecklistAction({
        releaseId: release.id,
        itemId: item.id,
        revision: 1,
        checked: true,
        evidenceUrl: EVIDENCE,
      }),
    );
    expect(stale).toMatchObject({ ok: false, error: { code: "CONFLICT", message: /now at revision 2/ } });

    await tickAll(release.id, 2);
    expect((await releaseGate(release.id)).green).toBe(true);
  });

  it("unticking withdraws the tick, which stays on the record", async () => {
    const release = await productionRelease();
    const item = await f.db.checklistItem.findFirstOrThrow({ where: { releaseId: release.id } });
    const tick = (checked: boolean) =>
      as(f.releaseManager, () =>
        tickChecklistAction({ releaseId: release.id, itemId: item.id, revision: 1, checked, evidenceUrl: EVIDENCE }),
      );
    expect(await tick(true)).toMatchObject({ ok: true });
    expect(await tick(true)).toMatchObject({ ok: false, error: { code: "CONFLICT", message: /already ticked/ } });
    expect(await tick(false)).toMatchObject({ ok: true });
    expect(await tick(false)).toMatchObject({ ok: false, error: { message: /is not ticked on this revision/ } });
    const ticks = await f.db.checklistTick.findMany({ where: { itemId: item.id } });
    expect(ticks).toHaveLength(1);
    expect(ticks[0].withdrawnAt).not.toBeNull();
    expect((await releaseGate(release.id)).checklist[0].state).toBe("open");
  });

  it("an item that needs evidence is copied to the release as such and refuses a tick without it", async () => {
    const template = await f.db.checklistTemplateItem.findFirstOrThrow({
      where: { environmentId: f.production.id, label: "Security scans passed" },
    });
    await f.db.checklistTemplateItem.update({ where: { id: template.id }, data: { evidenceRequired: true } });
    try {
      const release = await productionRelease();
      const item = await f.db.checklistItem.findFirstOrThrow({
        where: { releaseId: release.id, label: "Security scans passed" },
      });
      expect(item.evidenceRequired).toBe(true);
      const bare = await as(f.releaseManager, () =>
        tickChecklistAction({ releaseId: release.id, itemId: item.id, revision: 1, checked: true, evidenceUrl: "" }),
      );
      expect(bare).toEqual({
        ok: false,
        error: {
          code: "INVALID",
          message: "“Security scans passed” needs evidence: paste a link to it (a test run, a report) before ticking.",
          fieldErrors: {
            evidenceUrl: [
              "“Security scans passed” needs evidence: paste a link to it (a test run, a report) before ticking.",
            ],
          },
        },
      });
      expect(await f.db.checklistTick.count({ where: { itemId: item.id } })).toBe(0);
      const withEvidence = await as(f.releaseManager, () =>
        tickChecklistAction({
          releaseId: release.id,
          itemId: item.id,
          revision: 1,
          checked: true,
          evidenceUrl: "https://scanner.example.com/reports/9",
        }),
      );
      expect(withEvidence).toMatchObject({ ok: true });
      const row = (await releaseGate(release.id)).checklist.find((r) => r.id === item.id);
      expect(row).toMatchObject({
        state: "ticked",
        evidenceRequired: true,
        tick: { evidenceUrl: "https://scanner.example.com/reports/9" },
      });
    } finally {
      await f.db.checklistTemplateItem.update({ where: { id: template.id }, data: { evidenceRequired: false } });
    }
  });
});

describe("a finished release's approvals are history", () => {
  it.each(["DEPLOYED", "ROLLED_BACK", "CANCELLED"] as const)(
    "%s: withdrawing, signing and ticking are refused, nothing changes",
    async (status) => {
      const release = await productionRelease();
      const cto = signers.get("CTO")!;
      await as(cto, () =>
        signReleaseAction({ releaseId: release.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" }),
      );
      const item = await f.db.checklistItem.findFirstOrThrow({ where: { releaseId: release.id } });
      await as(f.releaseManager, () =>
        tickChecklistAction({ releaseId: release.id, itemId: item.id, revision: 1, checked: true }),
      );
      await f.db.release.update({ where: { id: release.id }, data: { status } });
      const approval = await f.db.approval.findFirstOrThrow({ where: { releaseId: release.id } });
      const history = /^This release was .+; its sign-offs and checklist are history and can no longer change\.$/;

      const withdrawn = await as(cto, () => withdrawSignOffAction({ releaseId: release.id, approvalId: approval.id }));
      expect(withdrawn).toMatchObject({ ok: false, error: { code: "CONFLICT", message: history } });
      const signed = await as(signers.get("SECURITY_LEAD")!, () =>
        signReleaseAction({
          releaseId: release.id,
          revision: 1,
          role: "SECURITY_LEAD",
          decision: "APPROVED",
          comment: "",
        }),
      );
      expect(signed).toMatchObject({ ok: false, error: { code: "CONFLICT", message: history } });
      const unticked = await as(f.releaseManager, () =>
        tickChecklistAction({ releaseId: release.id, itemId: item.id, revision: 1, checked: false }),
      );
      expect(unticked).toMatchObject({ ok: false, error: { code: "CONFLICT", message: history } });

      expect(await f.db.approval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
        withdrawnAt: null,
      });
      expect(await f.db.approval.count({ where: { releaseId: release.id } })).toBe(1);
      expect(await f.db.checklistTick.findFirstOrThrow({ where: { itemId: item.id } })).toMatchObject({
        withdrawnAt: null,
      });
    },
  );

  it("a release that is still deploying can have a sign-off withdrawn (the job checks the gate again)", async () => {
    const release = await productionRelease();
    const cto = signers.get("CTO")!;
    const signed = await as(cto, () =>
      signReleaseAction({ releaseId: release.id, revision: 1, role: "CTO", decision: "APPROVED", comment: "" }),
    );
    expect(signed).toMatchObject({ ok: true });
    await f.db.release.update({ where: { id: release.id }, data: { status: "DEPLOYING" } });
    const approval = await f.db.approval.findFirstOrThrow({ where: { releaseId: release.id } });
    expect(await as(cto, () => withdrawSignOffAction({ releaseId: release.id, approvalId: approval.id }))).toEqual({
      ok: true,
      data: {},
    });
  });
});

describe("promoting a canary is a deploy decision, aborting is on-call's", () => {
  async function activeCanary() {
    const release = await productionRelease();
    return f.db.deploymentRun.create({
      data: {
        kind: "DEPLOY",
        status: "RUNNING",
        releaseId: release.id,
        revision: 1,
        serviceId: f.checkout.id,
        environmentId: f.production.id,
        strategy: "CANARY",
        toImage: release.imageRef,
        currentStep: "canary-5",
        requestedById: f.releaseManager.id,
      },
    });
  }
  const finish = (id: string) => f.db.deploymentRun.update({ where: { id }, data: { status: "SUCCEEDED" } });

  it("refuses on-call's promote and takes their abort", async () => {
    const run = await activeCanary();
    const promoted = await as(f.onCall, () => promoteCanaryAction({ runId: run.id }));
    expect(promoted).toEqual({
      ok: false,
      error: { code: "FORBIDDEN", message: "Only a release manager or admin can promote a canary to 100 %." },
    });
    expect(await f.db.runControl.count({ where: { runId: run.id } })).toBe(0);
    expect(await as(f.onCall, () => abortCanaryAction({ runId: run.id }))).toMatchObject({ ok: true });
    expect(await f.db.deploymentRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      controlRequest: "abort",
    });
    await finish(run.id);
  });

  it("lets a release manager promote, and refuses a viewer either", async () => {
    const run = await activeCanary();
    expect(await as(f.viewer, () => abortCanaryAction({ runId: run.id }))).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(await as(f.releaseManager, () => promoteCanaryAction({ runId: run.id }))).toMatchObject({ ok: true });
    expect(await f.db.runControl.findFirstOrThrow({ where: { runId: run.id } })).toMatchObject({
      action: "promote",
      requestedById: f.releaseManager.id,
    });
    await finish(run.id);
  });
});
