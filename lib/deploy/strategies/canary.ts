import { firstReadyPod, runSmokeChecks, smokeAfterTraffic } from "@/lib/deploy/smoke/run";
import type { SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import type { RecoveryPlan } from "@/lib/deploy/engine/machine";
import { chooseRollbackImage } from "@/lib/deploy/rollback/last-good";
import {
  canaryReplicasForShare,
  canaryReplicasForWeight,
  effectiveShare,
} from "@/lib/deploy/strategies/canary-traffic";
import { containerImage } from "@/lib/deploy/strategies/rollout-status";
import { restoreImage } from "@/lib/deploy/strategies/restore-image";
import { fromK8sError, imagePatch, waitForRollout, written } from "@/lib/deploy/strategies/step-helpers";
import type { RunState, Step, StepContext, StepResult } from "@/lib/deploy/types";

export const CANARY_STEPS = {
  inspect: "inspect",
  startCanary: "start-canary",
  smokeCanary: "smoke-canary",
  trafficSteps: "traffic-steps",
  promoteStable: "promote-stable",
  waitStable: "wait-stable",
  retireCanary: "retire-canary",
  smokeAfterPromote: "smoke-after-promote",
  restoreStable: "restore-stable",
  waitStableRestored: "wait-stable-restored",
} as const;
const S = CANARY_STEPS;

/** From these steps on, stable is taking the new version: an abort no longer applies, a rollback does. */
export const CANARY_PROMOTING_STEPS: readonly string[] = [
  S.promoteStable,
  S.waitStable,
  S.retireCanary,
  S.smokeAfterPromote,
];

const WEIGHT = "nginx.ingress.kubernetes.io/canary-weight";

export function canaryDeployment(base: string): string {
  return `${base}-canary`;
}

const inspect: Step = {
  name: S.inspect,
  async run({ gateway, target, image }) {
    const stable = await gateway.readDeployment(target.namespace, target.deploymentName);
    if (!stable.ok) return fromK8sError(`reading Deployment ${target.deploymentName}`, stable.error);
    const canary = await gateway.readDeployment(target.namespace, canaryDeployment(target.deploymentName));
    if (!canary.ok) return fromK8sError(`reading Deployment ${canaryDeployment(target.deploymentName)}`, canary.error);
    if (target.canaryIngressName) {
      const ingress = await gateway.readIngress(target.namespace, target.canaryIngressName);
      if (!ingress.ok) return fromK8sError(`reading canary Ingress ${target.canaryIngressName}`, ingress.error);
    }
    const fromImage = containerImage(stable.value, target.containerName)!;
    const replicas = Math.max(1, stable.value.spec?.replicas ?? 1);
    return {
      status: "done",
      message: `stable ${target.deploymentName} runs ${fromImage} × ${replicas}; steps ${target.canarySteps.join(" → ")} % by ${target.canaryIngressName ? "ingress weight" : "replica ratio"}; rollback target: the stable Deployment`,
      state: {
        fromImage,
        toImage: image,
        replicas,
        canaryStep: 0,
        rollbackTarget: { strategy: "CANARY", image: fromImage },
      },
      response: { stableImage: fromImage, replicas },
    };
  },
};

const startCanary: Step = {
  name: S.startCanary,
  async run({ gateway, target, image, dryRun }) {
    const name = canaryDeployment(target.deploymentName);
    const patch = imagePatch(target.containerName, image, 0);
    const result = await gateway.patchDeployment(target.namespace, name, "strategic", patch, { dryRun });
    return written(result, `setting the image on ${name}`, patch, dryRun, () => ({
      status: "done",
      message: `${name} set to ${image}`,
      request: patch,
    }));
  },
};

/**
 * The smoke checks on one canary pod before the first step: with an Ingress weight it gets no
 * traffic yet (the weight is still 0); by replica ratio it is the smallest share there can be.
 * A failure scales the canary back to zero, stable keeping all traffic.
 */
const smokeCanary: Step = {
  name: S.smokeCanary,
  async run(context) {
    const { gateway, target, image } = context;
    const name = canaryDeployment(target.deploymentName);
    const when = target.canaryIngressName ? "before the first weight" : "before the canary grows";
    if (context.dryRun || target.smokeChecks.length === 0)
      return runSmokeChecks(context, { kind: "pods", name, label: `a ready pod of ${name}` }, when);
    const one = await gateway.patchDeployment(target.namespace, name, "merge", { spec: { replicas: 1 } });
    if (!one.ok) return fromK8sError(`starting one pod of ${name} for its smoke checks`, one.error);
    const found = await firstReadyPod(context, name, image);
    if (!found.pod) return found.result!;
    return runSmokeChecks(context, { kind: "pods", name: found.pod }, when);
  },
};

/** After the promotion, with the canary gone: the checks through the Service; a failure is a breach. */
const smokeAfterPromote: Step = {
  name: S.smokeAfterPromote,
  run: (context) => smokeAfterTraffic(context, "after the promotion"),
};

async function setTraffic(context: StepContext, stable: number, percent: number): Promise<StepResult | null> {
  const { gateway, target, dryRun } = context;
  const name = canaryDeployment(target.deploymentName);
  const replicas = target.canaryIngressName
    ? canaryReplicasForWeight(stable, percent)
    : canaryReplicasForShare(stable, percent);
  const scale = await gateway.patchDeployment(target.namespace, name, "merge", { spec: { replicas } }, { dryRun });
  if (!scale.ok) return fromK8sError(`scaling ${name} to ${replicas}`, scale.error, { spec: { replicas } });
  if (target.canaryIngressName) {
    const patch = { metadata: { annotations: { [WEIGHT]: String(percent) } } };
    const weight = await gateway.patchIngress(target.namespace, target.canaryIngressName, "merge", patch, { dryRun });
    if (!weight.ok) return fromK8sError(`setting the canary weight to ${percent}`, weight.error, patch);
  }
  return null;
}

/**
 * One step per canary share: scale (and weigh), wait for the pods, pause, ask the analysis, go
 * on. The current share and pause end live in the run state, so a restart resumes mid-step.
 */
export function canarySteps(analysis: SliAnalysis): Step {
  return {
    name: S.trafficSteps,
    async run(context, state) {
      const { target, now, dryRun } = context;
      const steps = target.canarySteps.filter((p) => p > 0 && p < 100);
      if (state.control === "promote")
        return { status: "done", message: "promoted by a person: skipping the remaining steps" };
      const index = state.canaryStep ?? 0;
      if (index >= steps.length || dryRun) {
        return {
          status: "done",
          message: dryRun
            ? `would step through ${steps.join(" → ")} % before promoting`
            : `all ${steps.length} canary steps passed`,
        };
      }
      const percent = steps[index];
      const stable = state.replicas ?? 1;
      if (!state.pauseUntil) {
        const failed = await setTraffic(context, stable, percent);
        if (failed) return failed;
        const rollout = await waitForRollout(context, canaryDeployment(target.deploymentName));
        if (rollout.status !== "done") return rollout;
        const until = new Date(now().getTime() + target.canaryPauseSeconds * 1000).toISOString();
        const started = now().toISOString();
        const share = target.canaryIngressName
          ? percent
          : effectiveShare(stable, canaryReplicasForShare(stable, percent));
        return {
          status: "waiting",
          message: `canary at ${percent} % (${share} % of traffic); pausing ${target.canaryPauseSeconds} s`,
          retryInMs: 200,
          state: { pauseUntil: until, pauseStartedAt: started },
        };
      }
      const pauseEnds = new Date(state.pauseUntil).getTime();
      if (now().getTime() < pauseEnds) {
        const waiting = {
          status: "waiting" as const,
          message: `canary at ${percent} %, paused until ${state.pauseUntil}`,
          retryInMs: Math.min(1000, pauseEnds - now().getTime()),
        };
        // Checked while the pause runs too, so a clearly failing canary is stopped at once rather
        // than serving errors until the pause ends; a pass only counts once the pause is over.
        const elapsedMs =
          now().getTime() -
          (state.pauseStartedAt
            ? new Date(state.pauseStartedAt).getTime()
            : pauseEnds - target.canaryPauseSeconds * 1000);
        const sinceCheck = state.lastCheckAt ? now().getTime() - new Date(state.lastCheckAt).getTime() : Infinity;
        if (!analysis.intervalMs || sinceCheck < analysis.intervalMs || elapsedMs < analysis.intervalMs) return waiting;
        const interim = await analysis.evaluateStep(target, state, percent, elapsedMs / 1000);
        if (interim.verdict === "fail")
          return {
            status: "failed",
            message: `canary failed its analysis at ${percent} %: ${interim.summary}`,
            response: interim.measurements,
            breach: true,
          };
        return { ...waiting, state: { lastCheckAt: now().toISOString() } };
      }
      // Judged over the whole pause as it ran (the target's setting may have changed since).
      const pausedSeconds = state.pauseStartedAt
        ? (pauseEnds - new Date(state.pauseStartedAt).getTime()) / 1000
        : undefined;
      const verdict = await analysis.evaluateStep(target, state, percent, pausedSeconds);
      if (verdict.verdict === "fail")
        return {
          status: "failed",
          message: `canary failed its analysis at ${percent} %: ${verdict.summary}`,
          response: verdict.measurements,
          breach: true,
        };
      if (verdict.verdict === "inconclusive")
        return {
          status: "paused",
          message: `analysis inconclusive at ${percent} %: ${verdict.summary}. Promote or abort.`,
          response: verdict.measurements,
        };
      return {
        status: "waiting",
        message: `${percent} % step passed: ${verdict.summary}`,
        retryInMs: 0,
        state: { canaryStep: index + 1, pauseUntil: undefined, pauseStartedAt: undefined, lastCheckAt: undefined },
        response: verdict.measurements,
      };
    },
  };
}

const promoteStable: Step = {
  name: S.promoteStable,
  async run({ gateway, target, image, dryRun }) {
    const patch = imagePatch(target.containerName, image);
    const result = await gateway.patchDeployment(target.namespace, target.deploymentName, "strategic", patch, {
      dryRun,
    });
    return written(result, `promoting ${image} to ${target.deploymentName}`, patch, dryRun, () => ({
      status: "done",
      message: `${target.deploymentName} takes ${image}`,
      request: patch,
    }));
  },
};

const waitStable: Step = {
  name: S.waitStable,
  async run(context) {
    const result = await waitForRollout(context, context.target.deploymentName);
    return result.status === "done" ? { ...result, trafficSwitched: true } : result;
  },
};

/** Canary to zero and weight to zero; the stable Deployment is left as it is. */
export const retireCanary: Step = {
  name: S.retireCanary,
  async run(context) {
    const { gateway, target, dryRun } = context;
    const failed = await setTraffic(context, 0, 0);
    if (failed) return failed;
    if (dryRun) return { status: "done", message: `${canaryDeployment(target.deploymentName)} would be scaled to 0` };
    const rollout = await waitForRollout(context, canaryDeployment(target.deploymentName));
    if (rollout.status !== "done") return rollout;
    return {
      status: "done",
      message: `${canaryDeployment(target.deploymentName)} scaled to 0${target.canaryIngressName ? ", weight 0" : ""}; all traffic on ${target.deploymentName}`,
      trafficSwitched: true,
      response: await gateway
        .readDeployment(target.namespace, target.deploymentName)
        .then((d) => (d.ok ? { stableImage: containerImage(d.value, target.containerName) } : undefined)),
    };
  },
};

export function canaryDeploy(analysis: SliAnalysis): Step[] {
  return [
    inspect,
    startCanary,
    smokeCanary,
    canarySteps(analysis),
    promoteStable,
    waitStable,
    retireCanary,
    smokeAfterPromote,
  ];
}

/** Recovery after stable took the new version: stable gets its previous pod template back. */
const restoreStable: Step = {
  name: S.restoreStable,
  run: (context, state) =>
    state.fromImage
      ? restoreImage(context, state.fromImage, "back on")
      : Promise.resolve({ status: "failed", message: "the stable version before this deploy is unknown" }),
};

const waitStableRestored: Step = {
  name: S.waitStableRestored,
  run: (context) => waitForRollout(context, context.target.deploymentName),
};

/** A deploy stopped before stable took the new version only has a canary to remove; after, stable is restored first. */
const beforePromote: RecoveryPlan = {
  steps: [S.retireCanary],
  summary: "the canary was scaled to zero; all traffic on the stable Deployment",
};
const afterPromote: RecoveryPlan = {
  steps: [S.restoreStable, S.waitStableRestored, S.retireCanary],
  summary: "stable is back on its previous version and the canary was scaled to zero",
};

export const canaryRecoveries: Record<string, RecoveryPlan> = {
  [S.startCanary]: beforePromote,
  [S.smokeCanary]: beforePromote,
  [S.trafficSteps]: beforePromote,
  [S.promoteStable]: afterPromote,
  [S.waitStable]: afterPromote,
  [S.retireCanary]: afterPromote,
  [S.smokeAfterPromote]: afterPromote,
};

export const canaryRecoverySteps: Step[] = [restoreStable, waitStableRestored, retireCanary];

/** The version a canary service's rollback puts back on stable, or why there is none. */
export function chooseCanaryRollback(
  stableImage: string | undefined,
  state: Pick<RunState, "candidates" | "expectLiveImage" | "rollbackTo">,
): { image: string; already: boolean } | { image: null; why: string } {
  if (state.rollbackTo && stableImage === state.rollbackTo) return { image: state.rollbackTo, already: true };
  if (state.expectLiveImage && stableImage !== state.expectLiveImage) {
    return {
      image: null,
      why: `nothing rolled back: ${stableImage} is live, no longer ${state.expectLiveImage}, which this rollback was for`,
    };
  }
  if (state.rollbackTo) return { image: state.rollbackTo, already: false };
  const choice = chooseRollbackImage(state.candidates ?? [], [stableImage]);
  return choice.image === null ? choice : { image: choice.image, already: false };
}

/** Rolling back a canary service: stop any canary, then put the last good version back on stable. */
const restoreLastGood: Step = {
  name: S.restoreStable,
  async run(context, state) {
    const { gateway, target } = context;
    const stable = await gateway.readDeployment(target.namespace, target.deploymentName);
    if (!stable.ok) return fromK8sError(`reading Deployment ${target.deploymentName}`, stable.error);
    const live = containerImage(stable.value, target.containerName);
    const choice = chooseCanaryRollback(live, state);
    if (choice.image === null) return { status: "failed", message: choice.why };
    if (choice.already)
      return {
        status: "done",
        message: `${target.deploymentName} already runs ${choice.image}`,
        state: { toImage: choice.image, rollbackTo: choice.image },
      };
    const restored = await restoreImage(context, choice.image, "back to");
    return restored.status === "done"
      ? { ...restored, state: { toImage: choice.image, rollbackTo: choice.image, fromImage: live } }
      : restored;
  },
};

export const canaryRollback: Step[] = [retireCanary, restoreLastGood, waitStable];

export const canaryAbort: Step[] = [retireCanary];
