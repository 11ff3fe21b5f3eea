import { describe, expect, it } from "vitest";
import {
  DONE,
  decide,
  type Effect,
  type MachineEvent,
  type MachineState,
  type RunFacts,
  type StepOutcome,
} from "@/lib/deploy/engine/machine";
import { planFor, recoveriesFor } from "@/lib/deploy/engine/plan";
import type { StrategyName } from "@/lib/deploy/types";

const NOW = 1_000_000;
const STRATEGIES: StrategyName[] = ["ROLLING", "BLUE_GREEN", "CANARY"];

function deployFacts(strategy: StrategyName, overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    kind: "DEPLOY",
    plan: planFor("DEPLOY", strategy).map((s) => s.name),
    recoveries: recoveriesFor(strategy),
    abortable: strategy === "CANARY",
    deadlineAt: NOW + 60_000,
    recoveryGraceMs: 120_000,
    ...overrides,
  };
}

function rollbackFacts(strategy: StrategyName): RunFacts {
  return {
    kind: "ROLLBACK",
    plan: planFor("ROLLBACK", strategy).map((s) => s.name),
    recoveries: {},
    abortable: false,
    deadlineAt: NOW + 60_000,
    recoveryGraceMs: 120_000,
  };
}

function at(step: string, extra: Partial<MachineState> = {}): MachineState {
  return { step, lastMessage: "", entered: true, ...extra };
}

const done = (message = "ok", extra: Partial<StepOutcome> = {}): MachineEvent => ({
  type: "step",
  outcome: { status: "done", message, ...extra },
});
const failed = (message = "boom", extra: Partial<StepOutcome> = {}): MachineEvent => ({
  type: "step",
  outcome: { status: "failed", message, ...extra },
});
const waiting = (message = "1 of 2 ready", retryInMs = 250): MachineEvent => ({
  type: "step",
  outcome: { status: "waiting", message, retryInMs },
});

function kinds(effects: Effect[]): string[] {
  return effects.map((e) =>
    e.type === "record"
      ? `record:${e.phase}:${e.step}`
      : e.type === "run-step"
        ? `run:${e.step}`
        : e.type === "finish"
          ? `finish:${e.status}`
          : e.type,
  );
}

function finishOf(effects: Effect[]) {
  return effects.find((e): e is Extract<Effect, { type: "finish" }> => e.type === "finish");
}

describe("the run state machine: the happy path", () => {
  it.each(STRATEGIES)("%s: each step done enters the next, the last one finishes SUCCEEDED", (strategy) => {
    const facts = deployFacts(strategy);
    let state = at(facts.plan[0]);
    for (const [i, step] of facts.plan.entries()) {
      expect(state.step).toBe(step);
      const { next, effects } = decide(facts, state, done(`${step} ok`), NOW);
      const after = effects[0];
      expect(after).toMatchObject({ type: "record", phase: "AFTER", step, currentStep: facts.plan[i + 1] ?? DONE });
      if (i < facts.plan.length - 1)
        expect(kinds(effects)).toEqual([
          `record:AFTER:${step}`,
          `record:BEFORE:${facts.plan[i + 1]}`,
          `run:${facts.plan[i + 1]}`,
        ]);
      else expect(kinds(effects)).toEqual([`record:AFTER:${step}`, "finish:SUCCEEDED"]);
      state = next;
    }
    expect(state.step).toBe(DONE);
  });

  it("records the traffic switch with the step that made it", () => {
    const facts = deployFacts("BLUE_GREEN");
    const { effects } = decide(facts, at("switch-traffic"), done("switched", { trafficSwitched: true }), NOW);
    expect(effects[0]).toMatchObject({ type: "record", phase: "AFTER", trafficSwitched: true });
  });

  it("a first start enters the first step; a resume at an entered step says so and runs it", () => {
    const facts = deployFacts("ROLLING");
    expect(
      kinds(
        decide(facts, at("inspect", { entered: false }), { type: "begin", resumed: false, workerId: "w" }, NOW).effects,
      ),
    ).toEqual(["record:BEFORE:inspect", "run:inspect"]);
    const resumed = decide(facts, at("wait-rollout"), { type: "begin", resumed: true, workerId: "w2" }, NOW);
    expect(kinds(resumed.effects)).toEqual(["record:INFO:wait-rollout", "run:wait-rollout"]);
    expect(resumed.effects[0]).toMatchObject({ message: "resumed by worker w2 at step wait-rollout" });
  });

  it("a run whose steps were all done before its worker died only finishes", () => {
    expect(
      kinds(decide(deployFacts("ROLLING"), at(DONE), { type: "begin", resumed: true, workerId: "w" }, NOW).effects),
    ).toEqual(["finish:SUCCEEDED"]);
    const recovery = {
      status: "FAILED" as const,
      reason: "boom",
      stoppedAt: "wait-idle-ready",
      steps: ["retire-idle-color"],
      summary: "traffic stayed",
    };
    const { effects } = decide(
      deployFacts("BLUE_GREEN"),
      at(DONE, { recovery }),
      { type: "begin", resumed: true, workerId: "w" },
      NOW,
    );
    expect(finishOf(effects)).toMatchObject({ status: "FAILED", outcome: "boom; traffic stayed" });
  });
});

describe("the run state machine: waiting, pausing, leases", () => {
  it("a waiting step records a new message once, then only saves, sleeps and runs again", () => {
    const facts = deployFacts("ROLLING");
    const first = decide(facts, at("wait-rollout"), waiting("1 of 2 ready"), NOW);
    expect(kinds(first.effects)).toEqual(["record:INFO:wait-rollout", "sleep", "run:wait-rollout"]);
    const same = decide(facts, first.next, waiting("1 of 2 ready"), NOW);
    expect(kinds(same.effects)).toEqual(["save", "sleep", "run:wait-rollout"]);
    expect(kinds(decide(facts, first.next, waiting("1 of 2 ready", 0), NOW).effects)).toEqual([
      "save",
      "run:wait-rollout",
    ]);
  });

  it("a paused step pauses the run for a person", () => {
    const { effects } = decide(
      deployFacts("CANARY"),
      at("traffic-steps"),
      { type: "step", outcome: { status: "paused", message: "inconclusive" } },
      NOW,
    );
    expect(kinds(effects)).toEqual(["pause"]);
  });

  it("a tick after a pause that met a promote goes on with the step", () => {
    const { effects, next } = decide(
      deployFacts("CANARY"),
      at("traffic-steps"),
      { type: "tick", control: "promote" },
      NOW,
    );
    expect(kinds(effects)).toEqual(["run:traffic-steps"]);
    expect(next.control).toBe("promote");
  });

  it("an interrupted worker hands the run back; a lost lease stops without writing", () => {
    expect(kinds(decide(deployFacts("ROLLING"), at("wait-rollout"), { type: "interrupted" }, NOW).effects)).toEqual([
      "release-lease",
      "stop",
    ]);
    expect(decide(deployFacts("ROLLING"), at("wait-rollout"), { type: "lease-lost" }, NOW).effects).toEqual([
      { type: "stop", reason: "not-mine" },
    ]);
  });
});

/**
 * Every strategy × every step a deploy can stop at × every way it stops: the recovery it enters
 * (the steps that leave traffic safe), or a plain FAILED when nothing there needs undoing.
 */
describe("the run state machine: a deploy that cannot go on recovers", () => {
  const cases = STRATEGIES.flatMap((strategy) => planFor("DEPLOY", strategy).map((s) => [strategy, s.name] as const));
  const expected: Record<StrategyName, Record<string, string[]>> = {
    ROLLING: {
      inspect: [],
      "set-image": ["restore-previous-revision", "wait-restored", "report-replicasets"],
      "smoke-first-pod": ["restore-previous-revision", "wait-restored", "report-replicasets"],
      "wait-rollout": ["restore-previous-revision", "wait-restored", "report-replicasets"],
      "smoke-after-rollout": ["restore-previous-revision", "wait-restored", "report-replicasets"],
    },
    BLUE_GREEN: {
      inspect: [],
      "prepare-idle-color": ["retire-idle-color"],
      "wait-idle-ready": ["retire-idle-color"],
      // A smoke check before the switch: the Service never selected the new colour.
      "smoke-idle-color": ["retire-idle-color"],
      "switch-traffic": ["switch-back-to-live", "verify-live", "retire-idle-color"],
      "verify-traffic": ["switch-back-to-live", "verify-live", "retire-idle-color"],
      "smoke-after-switch": ["switch-back-to-live", "verify-live", "retire-idle-color"],
    },
    CANARY: {
      inspect: [],
      "start-canary": ["retire-canary"],
      "smoke-canary": ["retire-canary"],
      "traffic-steps": ["retire-canary"],
      "promote-stable": ["restore-stable", "wait-stable-restored", "retire-canary"],
      "wait-stable": ["restore-stable", "wait-stable-restored", "retire-canary"],
      "retire-canary": ["restore-stable", "wait-stable-restored", "retire-canary"],
      "smoke-after-promote": ["restore-stable", "wait-stable-restored", "retire-canary"],
    },
  };

  it.each(cases)("%s stopped at %s: the step failing", (strategy, step) => {
    const recovery = expected[strategy][step];
    const { next, effects } = decide(deployFacts(strategy), at(step), failed("the cluster refused"), NOW);
    expect(effects[0]).toMatchObject({ type: "record", phase: "ERROR", step, message: "the cluster refused" });
    if (recovery.length === 0) {
      expect(finishOf(effects)).toMatchObject({ status: "FAILED", outcome: "the cluster refused" });
      return;
    }
    expect(next.recovery).toMatchObject({
      status: "FAILED",
      reason: "the cluster refused",
      stoppedAt: step,
      steps: recovery,
    });
    expect(kinds(effects)).toEqual([`record:ERROR:${step}`, `record:BEFORE:${recovery[0]}`, `run:${recovery[0]}`]);
  });

  it.each(cases)("%s stopped at %s: the deadline passing while it waits", (strategy, step) => {
    const recovery = expected[strategy][step];
    const { next, effects } = decide(deployFacts(strategy), at(step), waiting("0 of 2 ready"), NOW + 61_000);
    expect(effects.find((e) => e.type === "record" && e.phase === "ERROR")).toMatchObject({
      message: `deadline passed during ${step}: 0 of 2 ready`,
    });
    if (recovery.length === 0) expect(finishOf(effects)).toMatchObject({ status: "FAILED" });
    else expect(next.recovery?.steps).toEqual(recovery);
  });

  it.each(STRATEGIES)("%s: the deadline is checked between steps too", (strategy) => {
    const facts = deployFacts(strategy);
    const { next } = decide(facts, at(facts.plan[1]), done(), NOW + 61_000);
    expect(next.recovery?.stoppedAt ?? next.step).toBe(
      facts.recoveries[facts.plan[2]]?.steps.length ? facts.plan[2] : DONE,
    );
  });

  it("a canary's analysis breach is kept for the incident, mitigated once the canary is gone", () => {
    const facts = deployFacts("CANARY");
    const stopped = decide(
      facts,
      at("traffic-steps"),
      failed("canary failed its analysis at 25 %", { breach: true }),
      NOW,
    );
    expect(stopped.next.recovery).toMatchObject({ breach: "canary failed its analysis at 25 %" });
    const finished = decide(facts, stopped.next, done("scaled to 0"), NOW);
    expect(finishOf(finished.effects)).toEqual({
      type: "finish",
      status: "FAILED",
      outcome:
        "canary failed its analysis at 25 %; the canary was scaled to zero; all traffic on the stable Deployment",
      breach: { why: "canary failed its analysis at 25 %", mitigated: true },
    });
  });

  it("a person's abort of a canary takes it out of traffic and ends ABORTED", () => {
    const facts = deployFacts("CANARY");
    const aborted = decide(
      facts,
      at("traffic-steps"),
      { type: "step", outcome: { status: "waiting", message: "paused until …", retryInMs: 1000 }, control: "abort" },
      NOW,
    );
    expect(kinds(aborted.effects)).toEqual([
      "record:INFO:traffic-steps",
      "record:INFO:abort",
      "record:BEFORE:retire-canary",
      "run:retire-canary",
    ]);
    expect(aborted.next.recovery).toMatchObject({ status: "ABORTED", reason: "aborted by a person" });
    expect(finishOf(decide(facts, aborted.next, done(), NOW).effects)).toMatchObject({
      status: "ABORTED",
      outcome: "aborted by a person; the canary was scaled to zero; all traffic on the stable Deployment",
    });
  });

  it("an abort seen at the start of a resumed run is carried out before anything else", () => {
    const { next, effects } = decide(
      deployFacts("CANARY"),
      at("traffic-steps"),
      { type: "begin", control: "abort", resumed: true, workerId: "w" },
      NOW,
    );
    expect(next.recovery?.status).toBe("ABORTED");
    expect(kinds(effects)).toContain("run:retire-canary");
  });

  it("an abort is ignored where it does not apply: not a canary, already recovering, or done", () => {
    const rolling = decide(deployFacts("ROLLING"), at("wait-rollout"), { type: "tick", control: "abort" }, NOW);
    expect(rolling.next.recovery).toBeUndefined();
    const recovery = {
      status: "FAILED" as const,
      reason: "boom",
      stoppedAt: "traffic-steps",
      steps: ["retire-canary"],
      summary: "s",
    };
    const recovering = decide(
      deployFacts("CANARY"),
      at("retire-canary", { recovery }),
      { type: "tick", control: "abort" },
      NOW,
    );
    expect(recovering.next.recovery).toBe(recovery);
    expect(kinds(recovering.effects)).toEqual(["run:retire-canary"]);
  });
});

describe("the run state machine: recovery itself", () => {
  const recovery = {
    status: "FAILED" as const,
    reason: "web-green did not become ready",
    stoppedAt: "verify-traffic",
    steps: ["switch-back-to-live", "verify-live", "retire-idle-color"],
    summary: "traffic switched back",
  };

  it("walks its steps and finishes with why the deploy stopped and what is true now", () => {
    const facts = deployFacts("BLUE_GREEN");
    const first = decide(
      facts,
      at("switch-back-to-live", { recovery }),
      done("switched back", { trafficSwitched: true }),
      NOW,
    );
    expect(kinds(first.effects)).toEqual([
      "record:AFTER:switch-back-to-live",
      "record:BEFORE:verify-live",
      "run:verify-live",
    ]);
    expect(first.effects[0]).toMatchObject({ currentStep: "verify-live", trafficSwitched: true });
    const last = decide(facts, at("retire-idle-color", { recovery }), done("scaled to zero"), NOW);
    expect(finishOf(last.effects)).toEqual({
      type: "finish",
      status: "FAILED",
      outcome: "web-green did not become ready; traffic switched back",
    });
  });

  it("a recovery step that fails ends the run with both reasons", () => {
    const { effects } = decide(
      deployFacts("BLUE_GREEN"),
      at("switch-back-to-live", { recovery }),
      failed("Service refused"),
      NOW,
    );
    expect(finishOf(effects)).toMatchObject({
      status: "FAILED",
      outcome: "web-green did not become ready; then recovering failed at switch-back-to-live: Service refused",
    });
  });

  it("recovery gets a grace period past the deadline, then fails", () => {
    const facts = deployFacts("BLUE_GREEN");
    const withinGrace = decide(facts, at("verify-live", { recovery }), waiting("1 of 2 ready"), NOW + 61_000);
    expect(kinds(withinGrace.effects)).toEqual(["record:INFO:verify-live", "sleep", "run:verify-live"]);
    const pastGrace = decide(facts, at("verify-live", { recovery }), waiting("1 of 2 ready"), NOW + 200_000);
    expect(finishOf(pastGrace.effects)?.outcome).toMatch(
      /^web-green did not become ready; then recovering failed at verify-live: deadline passed during verify-live/,
    );
  });

  it("a breach whose recovery fails is reported as not mitigated", () => {
    const breach = { ...recovery, stoppedAt: "traffic-steps", steps: ["retire-canary"], breach: "error rate 9 %" };
    const { effects } = decide(
      deployFacts("CANARY"),
      at("retire-canary", { recovery: breach }),
      failed("admission webhook denied the request"),
      NOW,
    );
    expect(finishOf(effects)?.breach).toEqual({ why: "error rate 9 %", mitigated: false });
  });
});

describe("the run state machine: rollbacks", () => {
  it.each(STRATEGIES)(
    "%s: a failing rollback step ends the run FAILED with its reason (there is nothing to recover to)",
    (strategy) => {
      const facts = rollbackFacts(strategy);
      for (const step of facts.plan) {
        const { effects, next } = decide(facts, at(step), failed("nothing to roll back to"), NOW);
        expect(finishOf(effects)).toMatchObject({ status: "FAILED", outcome: "nothing to roll back to" });
        expect(next.recovery).toBeUndefined();
      }
    },
  );

  it.each(STRATEGIES)("%s: a rollback past its deadline fails", (strategy) => {
    const facts = rollbackFacts(strategy);
    const { effects } = decide(facts, at(facts.plan[0]), waiting("scaling blue up"), NOW + 61_000);
    expect(finishOf(effects)).toMatchObject({
      status: "FAILED",
      outcome: `deadline passed during ${facts.plan[0]}: scaling blue up`,
    });
  });

  it("a rollback's abort request is ignored: only canary deploys are abortable", () => {
    const facts = rollbackFacts("CANARY");
    const { next } = decide(facts, at(facts.plan[0]), { type: "tick", control: "abort" }, NOW);
    expect(next.recovery).toBeUndefined();
  });
});
