import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { createRelease } from "@/lib/releases/create-release";
import { updateRelease } from "@/lib/releases/update-release";
import { listReleases } from "@/lib/releases/queries";
import { createReleaseSchema } from "@/lib/schemas/release";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});

const DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

function input(change: Record<string, unknown> = {}) {
  return {
    serviceId: f.checkout.id,
    environmentId: f.production.id,
    imageRef: `registry.greenlight.local/shop/checkout:2.0.0@${DIGEST}`,
    strategy: "BLUE_GREEN",
    changeSummary: "New payment provider behind a feature flag.",
    links: [{ label: "PR 7", url: "https://git.example.com/shop/checkout/pull/7" }],
    ...change,
  };
}

/** What the server action does: parse with the shared schema, then call the lib function. */
async function submit(user: typeof f.releaseManager, raw: Record<string, unknown>) {
  const parsed = createReleaseSchema.safeParse(raw);
  if (!parsed.success) throw new AppError("INVALID", parsed.error.issues[0].message);
  return createRelease(user, parsed.data);
}

async function counts() {
  const [releases, revisions, checklist, audit] = await Promise.all([
    f.db.release.count(),
    f.db.releaseRevision.count(),
    f.db.checklistItem.count(),
    f.db.auditLog.count({ where: { action: { startsWith: "release." } } }),
  ]);
  return { releases, revisions, checklist, audit };
}

describe("creating a release", () => {
  it("stores it at revision 1 with the digest, its checklist copy and an audit entry", async () => {
    const release = await submit(f.releaseManager, input());
    const stored = await f.db.release.findUniqueOrThrow({
      where: { id: release.id },
      include: { revisions: true, checklist: true },
    });
    expect(stored).toMatchObject({
      revision: 1,
      status: "PENDING",
      imageRepository: "registry.greenlight.local/shop/checkout",
      imageTag: "2.0.0",
      imageDigest: DIGEST,
      strategy: "BLUE_GREEN",
      createdById: f.releaseManager.id,
    });
    expect(stored.revisions).toHaveLength(1);
    expect(stored.checklist).toHaveLength(10);
    expect(await f.db.checklistTick.count({ where: { releaseId: release.id } })).toBe(0);
    const audit = await f.db.auditLog.findFirstOrThrow({ where: { action: "release.create", targetId: release.id } });
    expect(audit.actorId).toBe(f.releaseManager.id);
    expect(audit.after).toMatchObject({ imageRef: input().imageRef, service: "checkout", environment: "production" });
  });

  it("lists newest first and filters by service, environment and status", async () => {
    const older = await submit(
      f.releaseManager,
      input({ imageRef: "registry.greenlight.local/shop/checkout:2.0.1", environmentId: f.staging.id }),
    );
    const newer = await submit(f.releaseManager, input({ imageRef: "registry.greenlight.local/shop/checkout:2.0.2" }));
    const all = await listReleases({ page: 1 });
    expect(all.releases.slice(0, 2).map((r) => r.id)).toEqual([newer.id, older.id]);
    const staging = await listReleases({ page: 1, environment: "staging" });
    expect(staging.releases.map((r) => r.id)).toEqual([older.id]);
    expect((await listReleases({ page: 1, service: "catalog" })).total).toBe(0);
    expect((await listReleases({ page: 1, status: "DEPLOYED" })).total).toBe(0);
    expect((await listReleases({ page: 1, status: "PENDING" })).total).toBe(all.total);
  });

  it("paginates by 20", async () => {
    for (let i = 0; i < 21; i++)
      await submit(
        f.releaseManager,
        input({ imageRef: `registry.greenlight.local/shop/checkout:3.0.${i}`, environmentId: f.staging.id }),
      );
    const page1 = await listReleases({ page: 1, environment: "staging" });
    const page2 = await listReleases({ page: 2, environment: "staging" });
    expect(page1.releases).toHaveLength(20);
    expect(page1.pageCount).toBe(2);
    expect(page2.releases).toHaveLength(page1.total - 20);
    expect(new Set([...page1.releases, ...page2.releases].map((r) => r.id)).size).toBe(page1.total);
  });

  it("refuses a viewer, an on-call engineer and nothing is stored", async () => {
    const before = await counts();
    for (const person of [f.viewer, f.onCall]) {
      await expect(submit(person, input())).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Only a release manager or admin can create a release.",
      });
    }
    expect(await counts()).toEqual(before);
  });

  it.each([
    [
      "a malformed image reference",
      { imageRef: "registry.greenlight.local/shop/Checkout::1" },
      /image reference|lowercase/i,
    ],
    ["an unknown service", { serviceId: "cm0doesnotexist0000000000" }, /service does not exist/],
    ["an unknown environment", { environmentId: "cm0doesnotexist0000000000" }, /environment does not exist/],
    ["an oversized summary", { changeSummary: "x".repeat(5001) }, /at most 5000 characters/],
    [
      "an oversized image reference",
      { imageRef: `registry.greenlight.local/${"a".repeat(600)}:1` },
      /at most 512 characters/,
    ],
    ["HTML in the summary", { changeSummary: 'Looks fine <img src=x onerror="alert(1)">' }, /plain text/],
    ["HTML in a link label", { links: [{ label: "<b>PR</b>", url: "https://x.example" }] }, /plain text/],
    ["a script link", { links: [{ label: "PR", url: "javascript:alert(1)" }] }, /http/],
  ])("rejects %s with a clear error and stores nothing", async (_name, change, message) => {
    const before = await counts();
    await expect(submit(f.releaseManager, input(change))).rejects.toThrow(message);
    expect(await counts()).toEqual(before);
  });

  it("refuses a service that has no target in the environment", async () => {
    const lonely = await f.db.service.create({ data: { name: "lonely", displayName: "Lonely" } });
    const before = await counts();
    await expect(submit(f.releaseManager, input({ serviceId: lonely.id }))).rejects.toThrow(
      "Lonely is not set up for Production.",
    );
    expect(await counts()).toEqual(before);
  });
});

describe("editing a release", () => {
  it("makes a new revision for every edit, records what changed, and refuses an empty one", async () => {
    const release = await submit(
      f.releaseManager,
      input({ imageRef: "registry.greenlight.local/shop/checkout:4.0.0" }),
    );
    const fields = {
      imageRef: release.imageRef,
      strategy: release.strategy,
      changeSummary: release.changeSummary,
      links: release.links as { label: string; url: string }[],
    };

    await expect(
      updateRelease(f.releaseManager, { releaseId: release.id, expectedRevision: 1, ...fields }),
    ).rejects.toThrow("Nothing changed");

    const summary = await updateRelease(f.releaseManager, {
      releaseId: release.id,
      expectedRevision: 1,
      ...fields,
      changeSummary: "Reworded: new payment provider, flagged.",
    });
    expect(summary.release.revision).toBe(2);
    expect(summary.changes).toEqual(["summary"]);

    const image = await updateRelease(f.releaseManager, {
      releaseId: release.id,
      expectedRevision: 2,
      ...fields,
      changeSummary: "Reworded: new payment provider, flagged.",
      imageRef: "registry.greenlight.local/shop/checkout:4.0.1",
      strategy: "CANARY",
    });
    expect(image.release.revision).toBe(3);
    expect(image.changes).toEqual(["image", "strategy"]);

    const revisions = await f.db.releaseRevision.findMany({
      where: { releaseId: release.id },
      orderBy: { revision: "asc" },
    });
    expect(revisions.map((r) => [r.revision, r.changes, r.imageRef, r.strategy])).toEqual([
      [1, [], "registry.greenlight.local/shop/checkout:4.0.0", "BLUE_GREEN"],
      [2, ["summary"], "registry.greenlight.local/shop/checkout:4.0.0", "BLUE_GREEN"],
      [3, ["image", "strategy"], "registry.greenlight.local/shop/checkout:4.0.1", "CANARY"],
    ]);
    expect(revisions[1].changeSummary).toBe("Reworded: new payment provider, flagged.");
    const audits = await f.db.auditLog.findMany({
      where: { action: "release.update", targetId: release.id },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.metadata)).toEqual([
      { newRevision: 2, reason: "summary changed" },
      { newRevision: 3, reason: "image and strategy changed" },
    ]);
  });

  it("refuses an edit based on an old revision", async () => {
    const release = await submit(
      f.releaseManager,
      input({ imageRef: "registry.greenlight.local/shop/checkout:5.0.0" }),
    );
    const fields = {
      imageRef: "registry.greenlight.local/shop/checkout:5.0.1",
      strategy: "ROLLING" as const,
      changeSummary: "Two editors at once.",
      links: [],
    };
    await updateRelease(f.releaseManager, { releaseId: release.id, expectedRevision: 1, ...fields });
    await expect(
      updateRelease(f.admin, {
        releaseId: release.id,
        expectedRevision: 1,
        ...fields,
        imageRef: "registry.greenlight.local/shop/checkout:5.0.2",
      }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    expect((await f.db.release.findUniqueOrThrow({ where: { id: release.id } })).imageRef).toBe(fields.imageRef);
  });

  it("refuses a viewer", async () => {
    const release = await submit(
      f.releaseManager,
      input({ imageRef: "registry.greenlight.local/shop/checkout:6.0.0" }),
    );
    await expect(
      updateRelease(f.viewer, {
        releaseId: release.id,
        expectedRevision: 1,
        imageRef: "x/y:1",
        strategy: "ROLLING",
        changeSummary: "Sneaky change here",
        links: [],
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
