import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { releaseGate } from "@/lib/approvals/gate";
import { db } from "@/lib/db";
import { noAnalysis, type SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import { finishRun, type FinishOptions } from "@/lib/deploy/engine/finish";
import { acquireLease, heartbeat, pauseRun, releaseLease } from "@/lib/deploy/engine/lease";
import {
  DONE,
  decide,
  type Control,
  type Effect,
  type MachineEvent,
  type MachineState,
  type Recovery,
  type RunFacts,
} from "@/lib/deploy/engine/machine";
import { planFor, recoveriesFor, recoveryStepsFor } from "@/lib/deploy/engine/plan";
import { recordStep, type StepEvent } from "@/lib/deploy/engine/run-store";
import { deployTarget } from "@/lib/deploy/targets";
import type { RunState, Step, StepContext, StepResult } from "@/lib/deploy/types";
import { verificationPlan } from "@/lib/deploy/verification/window";
import { recordRunActivity } from "@/lib/incidents/run-activity";
import type { RunActivity } from "@/lib/incidents/rules";
import { gatewayFor, type ClusterGateway } from "@/lib/k8s/gateway";
import { log } from "@/lib/log";
import { telemetry } from "@/lib/telemetry/metrics";

export interface EngineOptions {
  workerId: string;
  signal?: AbortSignal;
  analysis?: SliAnalysis;
  gateway?: (cluster: string) => ClusterGateway;
  leaseMs?: number;
  now?: () => Date;
}

export type EngineOutcome = "finished" | "paused" | "interrupted" | "not-mine";

/** How long recovery may run past a run's deadline: bringing traffic back must not be cut short. */
const RECOVERY_GRACE_MS = 120_000;

type LoadedRun = NonNullable<Awaited<ReturnType<typeof loadRun>>>;

/**
 * The run and what it acts on, as plain single-table reads sent together: a rollback's switch
 * waits on this, and nested includes cost several sequential queries.
 */
async function loadRun(runId: string, where: { serviceId: string; environmentId: string }) {
  const [run, row, service, environment, last] = await Promise.all([
    db.deploymentRun.findUnique({ where: { id: runId } }),
    db.serviceTarget.findUnique({
      where: { serviceId_environmentId: where },
      include: { smokeChecks: { orderBy: { position: "asc" } } },
    }),
    db.service.findUnique({ where: { id: where.serviceId }, select: { name: true } }),
    db.environment.findUnique({ where: { id: where.environmentId }, select: { name: true } }),
    db.runEvent.findFirst({ where: { runId }, orderBy: { seq: "desc" }, select: { seq: true } }),
  ]);
  if (!run || !service || !environment) return null;
  return { ...run, row, serviceName: service.name, environmentName: environment.name, lastSeq: last?.seq ?? 0 };
}

/** Runs persisted before recovery existed carry a canary's stop as `stopping`. */
function persistedRecovery(state: RunState): Recovery | undefined {
  if (state.recovery) return state.recovery;
  if (!state.stopping) return undefined;
  const { status, outcome, whenStopped, breach } = state.stopping;
  return {
    status,
    reason: outcome,
    stoppedAt: "traffic-steps",
    steps: ["retire-canary"],
    summary: whenStopped ?? "",
    ...(breach ? { breach } : {}),
  };
}

/**
 * Executes a run: the thin loop around the state machine (`machine.ts`). It runs the step the
 * machine names, hands the result back, and carries out the effects the machine asks for, each
 * write as the lease holder, so a worker that lost its lease changes nothing. Steps are
 * idempotent: a worker that resumes a run re-runs the step it was in and converges.
 */
export async function executeRun(runId: string, options: EngineOptions): Promise<EngineOutcome> {
  const leaseMs = options.leaseMs ?? 15_000;
  const token = `${options.workerId}#${randomBytes(4).toString("hex")}`;
  const acquired = await acquireLease(runId, token, leaseMs);
  if (!acquired) return "not-mine";
  const beat = heartbeat(runId, token, leaseMs);
  try {
    const run = await loadRun(runId, acquired);
    if (!run) return "not-mine";
    return await new Execution(run, token, leaseMs, beat, options).start();
  } finally {
    beat.stop();
  }
}

class Execution {
  private seq: number;
  private data: RunState;
  private machine: MachineState;
  private readonly facts: RunFacts;
  private readonly steps = new Map<string, Step>();
  private context?: StepContext;
  private readonly now: () => Date;
  private persistedSummary: string;
  /** BEFORE events held back to go out with the step's result. */
  private deferred: Effect[] = [];
  /** The canary step whose traffic change open incidents were told of (its pause start). */
  private notedPause: string | undefined;

  constructor(
    private readonly run: LoadedRun,
    private readonly token: string,
    private readonly leaseMs: number,
    private readonly beat: { lost(): boolean },
    private readonly options: EngineOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.seq = run.lastSeq;
    const saved = (run.state ?? {}) as RunState;
    const recovery = persistedRecovery(saved);
    this.data = { ...saved, recovery, control: (run.controlRequest as Control | null) ?? undefined };
    delete this.data.stopping;
    this.notedPause = saved.pauseStartedAt;
    const kind = run.kind === "ROLLBACK" ? "ROLLBACK" : run.kind === "ABORT" ? "ABORT" : "DEPLOY";
    const plan = planFor(kind, run.strategy, { analysis: options.analysis ?? noAnalysis });
    for (const step of plan) this.steps.set(step.name, step);
    // A deploy's recovery steps; where one shares a plan step's name, it is that same step.
    if (kind === "DEPLOY")
      for (const step of recoveryStepsFor(run.strategy))
        if (!this.steps.has(step.name)) this.steps.set(step.name, step);
    this.facts = {
      kind,
      plan: plan.map((s) => s.name),
      recoveries: kind === "DEPLOY" ? recoveriesFor(run.strategy) : {},
      abortable: kind === "DEPLOY" && run.strategy === "CANARY",
      deadlineAt: run.deadlineAt?.getTime() ?? null,
      recoveryGraceMs: RECOVERY_GRACE_MS,
    };
    const step = run.currentStep ?? this.facts.plan[0];
    this.machine = { step, recovery, control: undefined, lastMessage: "", entered: run.currentStep !== null };
    this.persistedSummary = JSON.stringify({
      fromImage: run.fromImage,
      toImage: run.toImage,
      rollbackTarget: run.rollbackTarget,
    });
  }

  private get runId() {
    return this.run.id;
  }

  async start(): Promise<EngineOutcome> {
    const { run } = this;
    const { row } = run;
    if (!row) return this.failBeforeStart(`${run.serviceName} has no target in ${run.environmentName}`);
    const target = deployTarget(row, run.serviceName);
    if (this.machine.step !== DONE) {
      try {
        this.context = {
          gateway: (this.options.gateway ?? gatewayFor)(target.cluster),
          target,
          image: run.toImage ?? "",
          dryRun: false,
          now: this.now,
        };
      } catch (error) {
        return this.failBeforeStart(error instanceof Error ? error.message : String(error));
      }
    }
    // The gate is asked again right before a deploy first touches the cluster: approvals may have
    // been withdrawn, a freeze may have begun, or the release may have a new revision since the click.
    if (run.kind === "DEPLOY" && run.releaseId && !this.machine.recovery && run.currentStep === null) {
      const gate = await releaseGate(run.releaseId, { ignoreRunId: run.id });
      const problems =
        gate.revision !== run.revision
          ? [`the release is now at revision ${gate.revision}, not ${run.revision}`]
          : gate.unmet.map((u) => u.message);
      if (problems.length > 0) {
        const message = `the gate turned red before the deploy touched the cluster: ${problems.join("; ")}`;
        await this.write([{ type: "record", phase: "ERROR", step: "gate", message }]);
        return this.finish("FAILED", message, { releaseStatus: "PENDING" });
      }
      await this.write([
        {
          type: "record",
          phase: "INFO",
          step: "gate",
          message:
            gate.warnings.length > 0
              ? `gate is green: every condition it could check is met (${gate.warnings.join("; ")})`
              : "gate is green: every condition met",
        },
      ]);
    }
    return this.loop({
      type: "begin",
      control: this.data.control,
      resumed: run.startedAt !== null && run.currentStep !== null,
      workerId: this.options.workerId,
    });
  }

  private async failBeforeStart(message: string): Promise<EngineOutcome> {
    await this.write([{ type: "record", phase: "ERROR", step: "plan", message }]);
    return this.finish("FAILED", message, {});
  }

  private async loop(first: MachineEvent): Promise<EngineOutcome> {
    let event: MachineEvent = first;
    for (;;) {
      if (this.options.signal?.aborted) event = { type: "interrupted" };
      else if (this.beat.lost()) event = { type: "lease-lost" };
      const { next, effects } = decide(this.facts, this.machine, event, this.now().getTime());
      this.machine = next;
      this.data = { ...this.data, recovery: next.recovery, control: next.control ?? this.data.control };
      const applied = await this.apply(effects);
      if (typeof applied === "string") return applied;
      event = applied;
    }
  }

  /** Carries out one decision's effects; answers with the next event, or how execution ended. */
  private async apply(effects: Effect[]): Promise<MachineEvent | EngineOutcome> {
    let pending: Effect[] = this.deferred;
    this.deferred = [];
    let control: Control | undefined = this.data.control;
    const flush = async (): Promise<EngineOutcome | null> => {
      if (pending.length === 0) return null;
      const written = await this.write(pending);
      pending = [];
      if (!written.owned) return "not-mine";
      control = written.control;
      return null;
    };
    for (const effect of effects) {
      switch (effect.type) {
        case "record":
        case "save":
          pending.push(effect);
          break;
        case "sleep": {
          const stopped = await flush();
          if (stopped) return stopped;
          await sleep(effect.ms, undefined, { signal: this.options.signal }).catch(() => undefined);
          break;
        }
        case "run-step": {
          // A step's BEFORE event goes out with its result: the previous AFTER already made this
          // the run's current step, so a resume lands here either way, and a rollback saves a
          // round trip before its switch.
          if (pending.some((e) => e.type !== "record" || e.phase !== "BEFORE")) {
            const stopped = await flush();
            if (stopped) return stopped;
          }
          this.data.control = control;
          const outcome = await this.runStep(effect.step);
          if (pending.length > 0) this.deferred = pending;
          return { type: "step", outcome, control: this.data.control };
        }
        case "pause": {
          const stopped = await flush();
          if (stopped) return stopped;
          this.seq += 1;
          const paused = await pauseRun(
            this.runId,
            this.token,
            { seq: this.seq, step: effect.step, message: effect.message },
            this.persistable(),
          );
          if (paused === "paused" || paused === "not-mine") return paused;
          this.data.control = paused.control;
          return { type: "tick", control: paused.control };
        }
        case "finish": {
          const stopped = await flush();
          if (stopped) return stopped;
          return this.finish(effect.status, effect.outcome || this.completedOutcome(), { breach: effect.breach });
        }
        case "release-lease":
          await releaseLease(this.runId, this.token);
          break;
        case "stop":
          return effect.reason;
      }
    }
    const stopped = await flush();
    if (stopped) return stopped;
    return { type: "tick", control };
  }

  private async runStep(name: string): Promise<StepResult> {
    const step = this.steps.get(name);
    if (!step || !this.context) return { status: "failed", message: `the run has no step named ${name}` };
    let result: StepResult;
    const started = performance.now();
    try {
      result = await step.run(this.context, this.data);
    } catch (error) {
      log.error({ err: error, runId: this.runId, step: name }, "step threw");
      result = {
        status: "failed",
        message: `${name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (!this.run.dryRun)
      telemetry().runStepDuration.observe(
        { kind: this.facts.kind, strategy: this.run.strategy, step: name, result: result.status },
        (performance.now() - started) / 1000,
      );
    if ("state" in result && result.state) this.data = { ...this.data, ...result.state };
    return result;
  }

  private persistable(): RunState {
    const { control: _control, ...rest } = this.data;
    return rest;
  }

  /** Writes a batch of record/save effects in one round trip. */
  private async write(effects: Effect[]) {
    const events: StepEvent[] = [];
    let currentStep: string | undefined;
    let trafficSwitched = false;
    const traffic: RunActivity[] = [];
    for (const effect of effects) {
      if (effect.type !== "record") continue;
      if (effect.trafficSwitched) traffic.push({ type: "traffic", step: effect.step, message: effect.message });
      // A canary step sets its weight and then starts its pause: a new pause is new traffic.
      else if (effect.phase === "INFO" && this.data.pauseStartedAt && this.data.pauseStartedAt !== this.notedPause) {
        this.notedPause = this.data.pauseStartedAt;
        traffic.push({
          type: "traffic",
          step: `${effect.step}@${this.data.canaryStep ?? 0}`,
          message: effect.message,
        });
      }
      this.seq += 1;
      events.push({
        seq: this.seq,
        step: effect.step,
        phase: effect.phase,
        message: effect.message,
        request: effect.request,
        response: effect.response,
      });
      if (effect.currentStep) currentStep = effect.currentStep;
      if (effect.trafficSwitched) trafficSwitched = true;
    }
    const written = await recordStep(this.runId, this.token, {
      events,
      state: this.persistable(),
      currentStep,
      trafficSwitched,
      renewLeaseMs: this.leaseMs,
      summary: this.changedSummary(),
    });
    if (written.owned && traffic.length > 0 && !this.run.dryRun) await this.tellIncidents(traffic);
    return written;
  }

  /** Open incidents on the service learn that traffic moved; a failure here never stops the run. */
  private async tellIncidents(activities: RunActivity[]): Promise<void> {
    try {
      for (const activity of activities) await recordRunActivity(db, this.run, activity);
    } catch (error) {
      log.warn({ err: error, runId: this.runId }, "could not add the traffic change to open incidents");
    }
  }

  /** The images and rollback target are columns for the pages; written when they change. */
  private changedSummary() {
    const { run, data } = this;
    const summary = {
      fromImage: run.fromImage ?? data.fromImage ?? null,
      toImage: run.kind === "ROLLBACK" ? (data.toImage ?? run.toImage ?? null) : run.toImage,
      rollbackTarget: data.rollbackTarget ?? null,
    };
    if (JSON.stringify(summary) === this.persistedSummary) return undefined;
    this.persistedSummary = JSON.stringify(summary);
    return summary;
  }

  private completedOutcome(): string {
    return this.run.kind === "ROLLBACK"
      ? `rolled back to ${this.data.toImage ?? this.run.toImage ?? "the previous version"}`
      : `${this.run.toImage} is live`;
  }

  private finish(
    status: "SUCCEEDED" | "FAILED" | "ABORTED",
    outcome: string,
    extra: Partial<FinishOptions>,
  ): Promise<EngineOutcome> {
    const { row } = this.run;
    // A rolling or blue-green deploy that succeeds goes on being watched on its SLIs.
    const verify =
      status === "SUCCEEDED" && row ? verificationPlan(this.run, row, this.options.analysis, this.now()) : null;
    return finishRun(this.runId, this.token, status, outcome, {
      verify,
      autoRollback: row?.autoRollback ?? true,
      ...extra,
    });
  }
}
