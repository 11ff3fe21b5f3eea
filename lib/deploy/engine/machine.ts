/**
 * The run state machine, as a pure function: what happened (a step's result, a person's request,
 * the clock) goes in, the next state and the effects to carry out come out. No I/O here; the
 * executor (`executor.ts`) performs the effects under the run's lease.
 *
 * A deploy that cannot go on (a step failed, its deadline passed, a person aborted it) does not
 * just stop: it enters *recovery*, the strategy's steps that leave traffic where it is safe
 * (switch back, scale the failed version to zero, restore stable, report what is live). The
 * recovery is part of the persisted state, so a worker that resumes the run recovers too.
 */

export type FinalStatus = "SUCCEEDED" | "FAILED" | "ABORTED";
export type Control = "promote" | "abort";

/** What a deploy stopped at `step` must do to leave traffic safe, and what is true once it has. */
export interface RecoveryPlan {
  steps: string[];
  /** Added to the outcome once every recovery step is done ("traffic switched back to blue"). */
  summary: string;
}

/** The facts of a run that do not change while it executes. */
export interface RunFacts {
  kind: "DEPLOY" | "ROLLBACK" | "ABORT";
  /** The step names of the run's plan, in order. */
  plan: readonly string[];
  /** For a deploy: the recovery for each step it may stop at (no entry, or no steps: nothing to undo). */
  recoveries: Readonly<Record<string, RecoveryPlan>>;
  /** Whether a person may abort it (canary deploys). */
  abortable: boolean;
  deadlineAt: number | null;
  /** How long recovery may run past the deadline: bringing traffic back must not be cut short. */
  recoveryGraceMs: number;
}

/** A deploy being brought back to safety, and how the run will end once it is. */
export interface Recovery {
  status: "FAILED" | "ABORTED";
  /** Why the deploy stopped. */
  reason: string;
  /** The step it stopped at. */
  stoppedAt: string;
  steps: string[];
  summary: string;
  /** The stop was an SLI analysis verdict: an automatic rollback, which opens an incident. */
  breach?: string;
}

export interface MachineState {
  /** The step being executed, or DONE once every step (including recovery) is done. */
  step: string;
  recovery?: Recovery;
  /** The last control request the machine acted on. */
  control?: Control;
  /** The last progress message, for a readable deadline error and to record changes only. */
  lastMessage: string;
  /** Whether the current step's BEFORE event was written (a resumed run is already in it). */
  entered: boolean;
}

export const DONE = "done";

export interface StepOutcome {
  status: "done" | "waiting" | "failed" | "paused";
  message: string;
  retryInMs?: number;
  trafficSwitched?: boolean;
  breach?: boolean;
  request?: unknown;
  response?: unknown;
}

export type MachineEvent =
  /** Execution begins (first time, or a resume by another worker). */
  | { type: "begin"; control?: Control; resumed: boolean; workerId: string }
  /** The current step returned; `control` is what the database said a person asked meanwhile. */
  | { type: "step"; outcome: StepOutcome; control?: Control }
  /** Between steps, nothing new: only the clock and control requests are checked. */
  | { type: "tick"; control?: Control }
  /** The worker is shutting down (SIGTERM): hand the run back. */
  | { type: "interrupted" }
  /** Another execution holds the lease now. */
  | { type: "lease-lost" };

export type Effect =
  /** Writes an event; with `enter`, also the run's current step (and the state, always). */
  | {
      type: "record";
      phase: "BEFORE" | "AFTER" | "INFO" | "ERROR";
      step: string;
      message: string;
      request?: unknown;
      response?: unknown;
      currentStep?: string;
      trafficSwitched?: boolean;
    }
  /** Persists the run state and renews the lease without an event (a poll that saw no change). */
  | { type: "save" }
  | { type: "sleep"; ms: number }
  /** Runs the step named by the next state. */
  | { type: "run-step"; step: string }
  /** Pauses the run for a person (unless a control request arrived in the meantime). */
  | { type: "pause"; step: string; message: string; response?: unknown }
  | { type: "finish"; status: FinalStatus; outcome: string; breach?: { why: string; mitigated: boolean } }
  | { type: "release-lease" }
  | { type: "stop"; reason: "interrupted" | "not-mine" };

export interface Decision {
  next: MachineState;
  effects: Effect[];
}

function deadline(facts: RunFacts, state: MachineState): number {
  if (facts.deadlineAt === null) return Infinity;
  return facts.deadlineAt + (state.recovery ? facts.recoveryGraceMs : 0);
}

/** The final outcome of a recovered deploy: why it stopped, and what is true now. */
export function recoveredOutcome(recovery: Recovery): string {
  // The cluster's own messages often end in a full stop; the outcome reads as one sentence.
  return recovery.summary ? `${recovery.reason.replace(/[.\s]+$/, "")}; ${recovery.summary}` : recovery.reason;
}

function finishRecovered(state: MachineState, recovery: Recovery): Decision {
  return {
    next: { ...state, step: DONE },
    effects: [
      {
        type: "finish",
        status: recovery.status,
        outcome: recoveredOutcome(recovery),
        ...(recovery.breach ? { breach: { why: recovery.breach, mitigated: true } } : {}),
      },
    ],
  };
}

/** Enters `step` (writing its BEFORE event with the state) and runs it. */
function enter(state: MachineState, step: string, effects: Effect[] = []): Decision {
  return {
    next: { ...state, step, entered: true, lastMessage: "" },
    effects: [
      ...effects,
      { type: "record", phase: "BEFORE", step, message: `starting ${step}`, currentStep: step },
      { type: "run-step", step },
    ],
  };
}

/**
 * The deploy cannot go on: recover from the step it stopped at, or, when nothing there needs
 * undoing (or it is not a deploy), end the run now.
 */
function stop(
  facts: RunFacts,
  state: MachineState,
  status: "FAILED" | "ABORTED",
  reason: string,
  breach: string | undefined,
  effects: Effect[],
): Decision {
  const plan = facts.kind === "DEPLOY" ? facts.recoveries[state.step] : undefined;
  if (!plan || plan.steps.length === 0) {
    return {
      next: { ...state, step: DONE },
      effects: [
        ...effects,
        { type: "finish", status, outcome: reason, ...(breach ? { breach: { why: breach, mitigated: true } } : {}) },
      ],
    };
  }
  const recovery: Recovery = {
    status,
    reason,
    stoppedAt: state.step,
    steps: plan.steps,
    summary: plan.summary,
    ...(breach ? { breach } : {}),
  };
  return enter({ ...state, recovery }, plan.steps[0], effects);
}

/** Recovery itself could not finish: the run ends with both reasons, traffic possibly unsafe. */
function recoveryFailed(state: MachineState, recovery: Recovery, why: string, effects: Effect[]): Decision {
  return {
    next: { ...state, step: DONE },
    effects: [
      ...effects,
      {
        type: "finish",
        status: recovery.status,
        outcome: `${recovery.reason}; then recovering failed at ${state.step}: ${why}`,
        ...(recovery.breach ? { breach: { why: recovery.breach, mitigated: false } } : {}),
      },
    ],
  };
}

function stepsOf(facts: RunFacts, state: MachineState): readonly string[] {
  return state.recovery ? state.recovery.steps : facts.plan;
}

/** Checks that come before anything else: a person's abort, then the deadline. */
function interrupts(
  facts: RunFacts,
  state: MachineState,
  control: Control | undefined,
  now: number,
  effects: Effect[],
): Decision | null {
  if (control === "abort" && state.control !== "abort" && facts.abortable && !state.recovery && state.step !== DONE) {
    return stop(facts, { ...state, control }, "ABORTED", "aborted by a person", undefined, [
      ...effects,
      {
        type: "record",
        phase: "INFO",
        step: "abort",
        message: "abort requested: taking the new version out of traffic",
      },
    ]);
  }
  if (now > deadline(facts, state) && state.step !== DONE) {
    const message = `deadline passed during ${state.step}${state.lastMessage ? `: ${state.lastMessage}` : ""}`;
    const recorded: Effect[] = [...effects, { type: "record", phase: "ERROR", step: state.step, message }];
    if (state.recovery) return recoveryFailed(state, state.recovery, message, recorded);
    return stop(facts, state, "FAILED", message, undefined, recorded);
  }
  return null;
}

export function decide(facts: RunFacts, state: MachineState, event: MachineEvent, now: number): Decision {
  switch (event.type) {
    case "interrupted":
      return { next: state, effects: [{ type: "release-lease" }, { type: "stop", reason: "interrupted" }] };
    case "lease-lost":
      return { next: state, effects: [{ type: "stop", reason: "not-mine" }] };
    case "begin": {
      // Everything was done before the previous worker stopped: only the final state is missing.
      if (state.step === DONE) {
        if (state.recovery) return finishRecovered(state, state.recovery);
        return { next: state, effects: [{ type: "finish", status: "SUCCEEDED", outcome: "" }] };
      }
      const effects: Effect[] = event.resumed
        ? [
            {
              type: "record",
              phase: "INFO",
              step: state.step,
              message: `resumed by worker ${event.workerId} at step ${state.step}`,
            },
          ]
        : [];
      const interrupted = interrupts(facts, state, event.control, now, effects);
      if (interrupted) return interrupted;
      const next = { ...state, control: event.control ?? state.control };
      if (!state.entered) return enter(next, state.step, effects);
      return { next, effects: [...effects, { type: "run-step", step: state.step }] };
    }
    case "tick": {
      const interrupted = interrupts(facts, state, event.control, now, []);
      if (interrupted) return interrupted;
      return {
        next: { ...state, control: event.control ?? state.control },
        effects: [{ type: "run-step", step: state.step }],
      };
    }
    case "step":
      return afterStep(facts, state, event.outcome, event.control, now);
  }
}

function afterStep(
  facts: RunFacts,
  state: MachineState,
  outcome: StepOutcome,
  control: Control | undefined,
  now: number,
): Decision {
  const { recovery } = state;
  const exchange = { request: outcome.request, response: outcome.response };
  switch (outcome.status) {
    case "waiting": {
      const effects: Effect[] =
        outcome.message !== state.lastMessage
          ? [{ type: "record", phase: "INFO", step: state.step, message: outcome.message, ...exchange }]
          : [{ type: "save" }];
      const waiting = { ...state, lastMessage: outcome.message };
      const interrupted = interrupts(facts, waiting, control, now, effects);
      if (interrupted) return interrupted;
      const sleep: Effect[] = (outcome.retryInMs ?? 0) > 0 ? [{ type: "sleep", ms: outcome.retryInMs ?? 0 }] : [];
      return {
        next: { ...waiting, control: control ?? state.control },
        effects: [...effects, ...sleep, { type: "run-step", step: state.step }],
      };
    }
    case "paused":
      return {
        next: state,
        effects: [{ type: "pause", step: state.step, message: outcome.message, response: outcome.response }],
      };
    case "failed": {
      const recorded: Effect[] = [
        { type: "record", phase: "ERROR", step: state.step, message: outcome.message, ...exchange },
      ];
      if (recovery) return recoveryFailed(state, recovery, outcome.message, recorded);
      return stop(facts, state, "FAILED", outcome.message, outcome.breach ? outcome.message : undefined, recorded);
    }
    case "done": {
      const steps = stepsOf(facts, state);
      const following = steps[steps.indexOf(state.step) + 1] ?? DONE;
      const recorded: Effect = {
        type: "record",
        phase: "AFTER",
        step: state.step,
        message: outcome.message,
        ...exchange,
        currentStep: following,
        ...(outcome.trafficSwitched ? { trafficSwitched: true } : {}),
      };
      if (following === DONE) {
        if (recovery) {
          const finished = finishRecovered(state, recovery);
          return { next: finished.next, effects: [recorded, ...finished.effects] };
        }
        return {
          next: { ...state, step: DONE },
          effects: [recorded, { type: "finish", status: "SUCCEEDED", outcome: "" }],
        };
      }
      const next: MachineState = { ...state, step: following, entered: false, lastMessage: "" };
      const interrupted = interrupts(facts, next, control, now, [recorded]);
      if (interrupted) return interrupted;
      return enter({ ...next, control: control ?? state.control }, following, [recorded]);
    }
  }
}
