import { describe, expect, it } from "vitest";
import { chooseRollbackImage, goodVersions, versionVerdicts, type RunRecord } from "@/lib/deploy/rollback/last-good";
import { planBlueGreenRollback, type ColorState } from "@/lib/deploy/strategies/blue-green";
import { chooseCanaryRollback } from "@/lib/deploy/strategies/canary";
import { planRollingRollback, type ReplicaSetState } from "@/lib/deploy/strategies/rolling";

let clock = 0;
function run(
  kind: RunRecord["kind"],
  status: string,
  fromImage: string | null,
  toImage: string | null,
  verification: string | null = null,
): RunRecord {
  clock += 60_000;
  const at = new Date(clock);
  return {
    kind,
    status,
    fromImage,
    toImage,
    verification,
    startedAt: new Date(clock - 30_000),
    trafficSwitchedAt: status === "SUCCEEDED" ? at : null,
    finishedAt: at,
  };
}

const v = (n: string) => `registry.example.com/shop/web:${n}`;

describe("last known good", () => {
  it.each([
    ["nothing recorded", [], []],
    [
      "a deploy: the version it replaced and its own, newest first",
      [run("DEPLOY", "SUCCEEDED", v("1"), v("2"))],
      [v("2"), v("1")],
    ],
    [
      "a failed deploy's image is never good",
      [run("DEPLOY", "SUCCEEDED", v("1"), v("2")), run("DEPLOY", "FAILED", v("2"), v("3-crashloop"))],
      [v("2"), v("1")],
    ],
    [
      "an aborted canary's image is not good",
      [run("DEPLOY", "SUCCEEDED", v("1"), v("2")), run("DEPLOY", "ABORTED", v("2"), v("3"))],
      [v("2"), v("1")],
    ],
    ["a breached verification makes it bad", [run("DEPLOY", "SUCCEEDED", v("1"), v("2"), "BREACHED")], [v("1")]],
    ["an unverified window is not good", [run("DEPLOY", "SUCCEEDED", v("1"), v("2"), "UNVERIFIED")], [v("1")]],
    [
      "verified and still verifying count",
      [run("DEPLOY", "SUCCEEDED", v("1"), v("2"), "VERIFIED"), run("DEPLOY", "SUCCEEDED", v("2"), v("3"), "VERIFYING")],
      [v("3"), v("2"), v("1")],
    ],
    [
      "a rollback makes the version it left bad and its target good",
      [run("DEPLOY", "SUCCEEDED", v("1"), v("2")), run("ROLLBACK", "SUCCEEDED", v("2"), v("1"))],
      [v("1")],
    ],
    [
      "a failed rollback says nothing",
      [run("DEPLOY", "SUCCEEDED", v("1"), v("2")), run("ROLLBACK", "FAILED", v("2"), v("1"))],
      [v("2"), v("1")],
    ],
    [
      "the most recent run decides: a failed image deployed again successfully is good",
      [run("DEPLOY", "FAILED", v("1"), v("2")), run("DEPLOY", "SUCCEEDED", v("1"), v("2"))],
      [v("2"), v("1")],
    ],
    [
      "a failed rolling deploy left in place does not make its image good as the next deploy's 'from'",
      [
        run("DEPLOY", "SUCCEEDED", v("1"), v("2")),
        run("DEPLOY", "FAILED", v("2"), v("3")),
        run("DEPLOY", "SUCCEEDED", v("3"), v("4")),
      ],
      [v("4"), v("2"), v("1")],
    ],
  ] as const)("%s", (_, history, expected) => {
    expect(goodVersions(history)).toEqual(expected);
  });

  it("ignores dry runs, promotes and aborts", () => {
    expect(
      goodVersions([
        { ...run("DEPLOY", "SUCCEEDED", v("1"), v("2")), dryRun: true },
        run("PROMOTE", "SUCCEEDED", null, v("9")),
      ]),
    ).toEqual([]);
  });

  it("chooses the newest good version that is not live, and says why when there is none", () => {
    const history = [run("DEPLOY", "SUCCEEDED", v("1"), v("2")), run("DEPLOY", "FAILED", v("2"), v("3-crashloop"))];
    expect(chooseRollbackImage(goodVersions(history), [v("2")])).toEqual({ image: v("1") });
    expect(chooseRollbackImage(goodVersions(history), [v("3-crashloop")])).toEqual({ image: v("2") });
    const only = [run("DEPLOY", "SUCCEEDED", v("1"), v("2")), run("ROLLBACK", "SUCCEEDED", v("2"), v("1"))];
    expect(chooseRollbackImage(goodVersions(only), [v("1")], versionVerdicts(only))).toEqual({
      image: null,
      why: `nothing to roll back to: ${v("1")}, the last good version, is already live; the other candidate, ${v("2")}, was rolled back`,
    });
    expect(chooseRollbackImage([], [v("1")])).toEqual({
      image: null,
      why: "nothing to roll back to: Greenlight has no record of a good version of this service here yet",
    });
  });
});

function color(
  c: "blue" | "green",
  image: string | undefined,
  desired: number,
  ready = desired,
  rolledOut = true,
): ColorState {
  return { color: c, image, desired, ready, rolledOut };
}

describe("blue-green rollback plan", () => {
  const candidates = [v("2"), v("1")];
  it.each([
    [
      "the other colour runs the good version, ready: one switch",
      color("green", v("3"), 2),
      color("blue", v("2"), 2),
      "switch",
      v("2"),
    ],
    [
      "scaled to zero: scaled up and waited for first",
      color("green", v("3"), 2),
      color("blue", v("2"), 0, 0),
      "scale-up",
      v("2"),
    ],
    ["not ready: waited for first", color("green", v("3"), 2), color("blue", v("2"), 2, 1, false), "scale-up", v("2")],
    [
      "a failed deploy left its image on the idle colour: the good version is put there first",
      color("green", v("2"), 2),
      color("blue", v("3-crashloop"), 0, 0),
      "redeploy",
      v("1"),
    ],
  ] as const)("%s", (_, live, idle, action, image) => {
    expect(planBlueGreenRollback(live, idle, { candidates })).toMatchObject({ ok: true, action, image, replicas: 2 });
  });

  it("refuses when the live version changed since the rollback was asked for", () => {
    expect(
      planBlueGreenRollback(color("green", v("4"), 2), color("blue", v("2"), 2), {
        candidates,
        expectLiveImage: v("3"),
      }),
    ).toMatchObject({ ok: false, why: expect.stringMatching(/no longer .*:3, which this rollback was for/) });
  });

  it("a rollback resumed after its switch landed is already done", () => {
    expect(
      planBlueGreenRollback(color("blue", v("2"), 2), color("green", v("3"), 2), {
        candidates,
        expectLiveImage: v("3"),
        rollbackTo: v("2"),
      }),
    ).toMatchObject({ ok: true, action: "already" });
  });

  it("refuses when the only good version is live", () => {
    expect(
      planBlueGreenRollback(color("green", v("2"), 2), color("blue", v("3-crashloop"), 0), { candidates: [v("2")] }),
    ).toMatchObject({ ok: false, why: expect.stringMatching(/^nothing to roll back to/) });
  });
});

describe("rolling and canary rollback plans", () => {
  const replicaSets: ReplicaSetState[] = [
    { name: "web-c", revision: 3, image: v("3"), desired: 1, ready: 0 },
    { name: "web-b", revision: 2, image: v("2"), desired: 2, ready: 2, hash: "b" },
    { name: "web-a", revision: 1, image: v("1"), desired: 0, ready: 0, hash: "a" },
  ];

  it("restores the newest ReplicaSet with the last good version, skipping the failed one", () => {
    expect(planRollingRollback(v("3"), replicaSets, { candidates: [v("2"), v("1")] })).toMatchObject({
      ok: true,
      image: v("2"),
      replicaSet: { name: "web-b" },
    });
    expect(planRollingRollback(v("2"), replicaSets, { candidates: [v("2"), v("1")] })).toMatchObject({
      ok: true,
      image: v("1"),
      replicaSet: { name: "web-a" },
    });
  });

  it("sets the image again when no ReplicaSet keeps it", () => {
    expect(planRollingRollback(v("3"), replicaSets.slice(0, 1), { candidates: [v("2")] })).toMatchObject({
      ok: true,
      image: v("2"),
      replicaSet: undefined,
    });
  });

  it("canary: the good version back on stable, or why not", () => {
    expect(chooseCanaryRollback(v("3"), { candidates: [v("3"), v("2")] })).toEqual({ image: v("2"), already: false });
    expect(chooseCanaryRollback(v("2"), { candidates: [v("2")] })).toMatchObject({ image: null });
    expect(chooseCanaryRollback(v("2"), { candidates: [v("2")], rollbackTo: v("2") })).toEqual({
      image: v("2"),
      already: true,
    });
  });
});
