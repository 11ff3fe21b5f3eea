import type { V1Deployment } from "@kubernetes/client-node";
import type { RecoveryPlan } from "@/lib/deploy/engine/machine";
import { chooseRollbackImage } from "@/lib/deploy/rollback/last-good";
import { containerImage, rolloutStatus } from "@/lib/deploy/strategies/rollout-status";
import { firstReadyPod, runSmokeChecks, smokeAfterTraffic } from "@/lib/deploy/smoke/run";
import { fromK8sError, imagePatch, POLL_MS, waitForRollout, written } from "@/lib/deploy/strategies/step-helpers";
import type { ReadContext, RunState, Step, StepContext, StepResult } from "@/lib/deploy/types";

export const BLUE_GREEN_STEPS = {
  inspect: "inspect",
  prepareIdle: "prepare-idle-color",
  waitIdle: "wait-idle-ready",
  smokeIdle: "smoke-idle-color",
  switchTraffic: "switch-traffic",
  verifyTraffic: "verify-traffic",
  smokeAfterSwitch: "smoke-after-switch",
  switchBackToLive: "switch-back-to-live",
  verifyLive: "verify-live",
  retireIdle: "retire-idle-color",
  switchBack: "switch-back",
} as const;
const S = BLUE_GREEN_STEPS;

const COLORS = ["blue", "green"] as const;
type Color = (typeof COLORS)[number];

export function colorDeployment(base: string, color: string): string {
  return `${base}-${color}`;
}

function other(color: string): Color {
  return color === "blue" ? "green" : "blue";
}

function isColor(value: string | undefined): value is Color {
  return !!value && (COLORS as readonly string[]).includes(value);
}

function notColored(context: Pick<StepContext, "target">): StepResult {
  return {
    status: "failed",
    message: `Service ${context.target.kubeServiceName} does not select a colour with "${context.target.colorLabelKey}: blue|green"`,
  };
}

async function liveColor(context: StepContext): Promise<{ color?: Color; error?: StepResult }> {
  const { gateway, target } = context;
  const service = await gateway.readService(target.namespace, target.kubeServiceName);
  if (!service.ok) return { error: fromK8sError(`reading Service ${target.kubeServiceName}`, service.error) };
  const color = service.value.spec?.selector?.[target.colorLabelKey];
  return isColor(color) ? { color } : { error: notColored(context) };
}

const inspect: Step = {
  name: S.inspect,
  async run(context) {
    const { gateway, target, image } = context;
    const live = await liveColor(context);
    if (live.error) return live.error;
    const liveName = colorDeployment(target.deploymentName, live.color!);
    const deployment = await gateway.readDeployment(target.namespace, liveName);
    if (!deployment.ok) return fromK8sError(`reading Deployment ${liveName}`, deployment.error);
    const idle = other(live.color!);
    const idleRead = await gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, idle));
    if (!idleRead.ok)
      return fromK8sError(`reading Deployment ${colorDeployment(target.deploymentName, idle)}`, idleRead.error);
    const fromImage = containerImage(deployment.value, target.containerName);
    const replicas = Math.max(1, deployment.value.spec?.replicas ?? 1);
    return {
      status: "done",
      message: `${live.color} is live with ${fromImage} on ${replicas} replicas; deploying to ${idle}; rollback target: ${live.color}`,
      state: {
        liveColor: live.color,
        idleColor: idle,
        replicas,
        fromImage,
        toImage: image,
        rollbackTarget: { strategy: "BLUE_GREEN", color: live.color!, image: fromImage },
      },
      response: { selector: { [target.colorLabelKey]: live.color }, liveImage: fromImage, replicas },
    };
  },
};

const prepareIdle: Step = {
  name: S.prepareIdle,
  async run({ gateway, target, image, dryRun }, state) {
    const name = colorDeployment(target.deploymentName, state.idleColor!);
    const patch = imagePatch(target.containerName, image, state.replicas);
    const result = await gateway.patchDeployment(target.namespace, name, "strategic", patch, { dryRun });
    return written(result, `preparing ${name}`, patch, dryRun, () => ({
      status: "done",
      message: `${name} set to ${image} × ${state.replicas}`,
      request: patch,
    }));
  },
};

const waitIdle: Step = {
  name: S.waitIdle,
  run: (context, state) => waitForRollout(context, colorDeployment(context.target.deploymentName, state.idleColor!)),
};

/**
 * The smoke checks on one ready pod of the new colour, before the selector moves: no user request
 * has reached it yet. A failure stops the deploy here, and the recovery scales the colour down;
 * the Service never selected it.
 */
const smokeIdle: Step = {
  name: S.smokeIdle,
  async run(context, state) {
    const name = colorDeployment(context.target.deploymentName, state.idleColor!);
    if (context.dryRun || context.target.smokeChecks.length === 0)
      return runSmokeChecks(context, { kind: "pods", name, label: `a ready pod of ${name}` }, "before traffic");
    const found = await firstReadyPod(context, name, state.toImage);
    if (!found.pod) return found.result!;
    return runSmokeChecks(context, { kind: "pods", name: found.pod }, "before traffic");
  },
};

/**
 * The same checks through the Service once it selects the new colour. A failure here is a breach
 * of the verification window: with automatic rollback on, the deploy switches back (and an
 * incident is opened); with it off, it is reported and traffic stays.
 */
const smokeAfterSwitch: Step = {
  name: S.smokeAfterSwitch,
  run: (context) => smokeAfterTraffic(context, "after the switch"),
};

/**
 * Moves the selector from one colour to another as one JSON Patch whose `test` operation makes
 * it conditional: if someone else moved traffic meanwhile, the cluster refuses it, and nothing
 * is switched twice.
 */
function selectorPatch(labelKey: string, from: string, to: string) {
  const path = `/spec/selector/${labelKey.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  return [
    { op: "test", path, value: from },
    { op: "replace", path, value: to },
  ];
}

async function switchSelector(
  context: StepContext,
  from: string,
  to: string,
  image: string | undefined,
  what: string,
): Promise<StepResult> {
  const { gateway, target, dryRun } = context;
  const patch = selectorPatch(target.colorLabelKey, from, to);
  const result = await gateway.patchService(target.namespace, target.kubeServiceName, "json", patch, { dryRun });
  if (!result.ok && result.error.type === "invalid") {
    // The test failed: the selector is not on `from`. Already on `to` means a previous attempt
    // (before a restart) switched it; anything else means someone else moved traffic.
    const now = await liveColor(context);
    if (now.color === to)
      return {
        status: "done",
        message: `Service ${target.kubeServiceName} already selects ${to}${image ? ` (${image})` : ""}`,
        trafficSwitched: !dryRun,
      };
    return {
      status: "failed",
      message: `not switching to ${to}: Service ${target.kubeServiceName} selects ${now.color ?? "no colour"}, not ${from}, so someone else moved traffic`,
    };
  }
  return written(result, `switching Service ${target.kubeServiceName} to ${to}`, patch, dryRun, (s) => ({
    status: "done",
    message: `Service ${target.kubeServiceName} ${what} ${to}${image ? ` (${image})` : ""}`,
    trafficSwitched: !dryRun,
    request: patch,
    response: { selector: s.spec?.selector },
  }));
}

const switchTraffic: Step = {
  name: S.switchTraffic,
  run: (context, state) => switchSelector(context, state.liveColor!, state.idleColor!, state.toImage, "now selects"),
};

/** Waits until the Service selects only ready pods of `color` running the expected image. */
function verify(
  colorOf: (state: RunState) => string,
  expectImage: (state: RunState) => string | undefined,
  name: string = S.verifyTraffic,
): Step {
  return {
    name,
    async run({ gateway, target }, state) {
      const color = colorOf(state);
      const service = await gateway.readService(target.namespace, target.kubeServiceName);
      if (!service.ok) return fromK8sError(`reading Service ${target.kubeServiceName}`, service.error);
      const selector = service.value.spec?.selector ?? {};
      if (selector[target.colorLabelKey] !== color) {
        return {
          status: "failed",
          message: `Service ${target.kubeServiceName} selects ${selector[target.colorLabelKey]}, not ${color}: someone changed it`,
        };
      }
      const pods = await gateway.listPods(
        target.namespace,
        Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      );
      if (!pods.ok) return fromK8sError("listing the selected pods", pods.error);
      const live = pods.value.filter((p) => !p.metadata?.deletionTimestamp);
      const ready = live.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      const image = expectImage(state);
      const wrong = image ? live.filter((p) => !p.spec?.containers?.some((c) => c.image === image)) : [];
      if (ready.length === 0 || ready.length < live.length || wrong.length > 0) {
        return {
          status: "waiting",
          message: `${ready.length} of ${live.length} selected pods ready${wrong.length ? `, ${wrong.length} on another image` : ""}`,
          retryInMs: POLL_MS,
        };
      }
      return {
        status: "done",
        message: `Service ${target.kubeServiceName} selects ${ready.length} ready ${color} pods`,
        response: { pods: ready.map((p) => p.metadata?.name) },
      };
    },
  };
}

/** Recovery after the switch: traffic goes back to the colour that was live; it never stopped running. */
const switchBackToLive: Step = {
  name: S.switchBackToLive,
  async run(context, state) {
    const live = await liveColor(context);
    if (live.error) return live.error;
    if (live.color === state.liveColor)
      return {
        status: "done",
        message: `Service ${context.target.kubeServiceName} selects ${state.liveColor} (${state.fromImage}): traffic never left it`,
      };
    return switchSelector(context, state.idleColor!, state.liveColor!, state.fromImage, "switched back to");
  },
};

/**
 * Recovery: the colour that failed is scaled to zero, so it holds no capacity and nobody mistakes
 * it for a version to switch back to. Never while the Service selects it.
 */
const retireIdle: Step = {
  name: S.retireIdle,
  async run(context, state) {
    const { gateway, target } = context;
    const idle = state.idleColor!;
    const live = await liveColor(context);
    if (live.error) return live.error;
    if (live.color === idle)
      return {
        status: "failed",
        message: `not scaling ${colorDeployment(target.deploymentName, idle)} to zero: the Service selects it`,
      };
    const name = colorDeployment(target.deploymentName, idle);
    const patch = { spec: { replicas: 0 } };
    const result = await gateway.patchDeployment(target.namespace, name, "merge", patch);
    return written(result, `scaling ${name} to zero`, patch, false, () => ({
      status: "done",
      message: `${name} (${state.toImage}) scaled to zero; traffic stays on ${state.liveColor} (${state.fromImage})`,
      request: patch,
    }));
  },
};

export const blueGreenDeploy: Step[] = [
  inspect,
  prepareIdle,
  waitIdle,
  smokeIdle,
  switchTraffic,
  verify(
    (s) => s.idleColor!,
    (s) => s.toImage,
  ),
  smokeAfterSwitch,
];

/** What a deploy stopped at each step leaves behind, and the steps that make traffic safe again. */
export const blueGreenRecoveries: Record<string, RecoveryPlan> = {
  [S.prepareIdle]: {
    steps: [S.retireIdle],
    summary: "traffic stayed on the live colour; the new colour was scaled to zero",
  },
  [S.waitIdle]: {
    steps: [S.retireIdle],
    summary: "traffic stayed on the live colour; the new colour was scaled to zero",
  },
  [S.smokeIdle]: {
    steps: [S.retireIdle],
    summary:
      "traffic stayed on the live colour (the Service never selected the new one); the new colour was scaled to zero",
  },
  [S.switchTraffic]: {
    steps: [S.switchBackToLive, S.verifyLive, S.retireIdle],
    summary: "traffic is back on the previous colour; the new colour was scaled to zero",
  },
  [S.verifyTraffic]: {
    steps: [S.switchBackToLive, S.verifyLive, S.retireIdle],
    summary: "traffic switched back to the previous colour; the new colour was scaled to zero",
  },
  [S.smokeAfterSwitch]: {
    steps: [S.switchBackToLive, S.verifyLive, S.retireIdle],
    summary: "traffic switched back to the previous colour; the new colour was scaled to zero",
  },
};

export const blueGreenRecoverySteps: Step[] = [
  switchBackToLive,
  verify(
    (s) => s.liveColor!,
    (s) => s.fromImage,
    S.verifyLive,
  ),
  retireIdle,
];

/** A colour as the cluster reports it, for choosing a rollback and showing it before the click. */
export interface ColorState {
  color: Color;
  image?: string;
  desired: number;
  ready: number;
  rolledOut: boolean;
}

function colorState(color: Color, deployment: V1Deployment, container: string): ColorState {
  return {
    color,
    image: containerImage(deployment, container),
    desired: deployment.spec?.replicas ?? 0,
    ready: deployment.status?.readyReplicas ?? 0,
    rolledOut: rolloutStatus(deployment).state === "done",
  };
}

export type BlueGreenRollbackPlan =
  | { ok: false; why: string; live?: ColorState }
  | {
      ok: true;
      live: ColorState;
      target: ColorState;
      image: string;
      action: "switch" | "scale-up" | "redeploy" | "already";
      replicas: number;
      describe: string;
    };

/** What the rollback was asked to do: the good versions, and what the person saw live (or the version an automatic rollback undoes). */
export interface RollbackIntent {
  candidates: readonly string[];
  expectLiveImage?: string;
  /** Chosen when the rollback was requested; a restarted rollback keeps it. */
  rollbackTo?: string;
}

/**
 * What a rollback does, from the cluster's state and the good versions: switch back to the other
 * colour when it runs the version to restore (scaled up and ready first), or, when it runs
 * something else (a failed deploy left its image there), put that version on it first. Pure.
 */
export function planBlueGreenRollback(
  live: ColorState,
  idle: ColorState,
  intent: RollbackIntent,
): BlueGreenRollbackPlan {
  const replicas = Math.max(1, live.desired);
  if (intent.rollbackTo && live.image === intent.rollbackTo) {
    return {
      ok: true,
      live,
      target: live,
      image: intent.rollbackTo,
      replicas,
      action: "already",
      describe: `${live.color} already serves ${intent.rollbackTo}`,
    };
  }
  if (intent.expectLiveImage && live.image !== intent.expectLiveImage) {
    return {
      ok: false,
      live,
      why: `nothing rolled back: ${live.color} runs ${live.image}, no longer ${intent.expectLiveImage}, which this rollback was for`,
    };
  }
  const choice = intent.rollbackTo
    ? { image: intent.rollbackTo }
    : chooseRollbackImage(intent.candidates, [live.image]);
  if (choice.image === null) return { ok: false, live, why: choice.why };
  if (idle.image !== choice.image) {
    return {
      ok: true,
      live,
      target: idle,
      image: choice.image,
      replicas,
      action: "redeploy",
      describe: `${idle.color} runs ${idle.image ?? "nothing"}, not a good version: it is set to ${choice.image} × ${replicas} and waited for before the switch`,
    };
  }
  if (idle.desired === 0 || !idle.rolledOut || idle.ready < Math.min(idle.desired, replicas)) {
    return {
      ok: true,
      live,
      target: idle,
      image: choice.image,
      replicas,
      action: "scale-up",
      describe: `${idle.color} has ${idle.ready} ready of ${idle.desired}: it is scaled to ${replicas} and waited for before the switch`,
    };
  }
  return {
    ok: true,
    live,
    target: idle,
    image: choice.image,
    replicas,
    action: "switch",
    describe: `${idle.ready} ready ${idle.color} pods; one selector change`,
  };
}

/** Reads the Service and both colours at once: the only round trip before a rollback's switch. */
export async function readColors(
  context: ReadContext,
): Promise<{ live?: ColorState; idle?: ColorState; error?: StepResult; selector?: Record<string, string> }> {
  const { gateway, target } = context;
  const [service, blue, green] = await Promise.all([
    gateway.readService(target.namespace, target.kubeServiceName),
    gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, "blue")),
    gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, "green")),
  ]);
  if (!service.ok) return { error: fromK8sError(`reading Service ${target.kubeServiceName}`, service.error) };
  const live = service.value.spec?.selector?.[target.colorLabelKey];
  if (!isColor(live)) return { error: notColored(context) };
  if (!blue.ok)
    return { error: fromK8sError(`reading Deployment ${colorDeployment(target.deploymentName, "blue")}`, blue.error) };
  if (!green.ok)
    return {
      error: fromK8sError(`reading Deployment ${colorDeployment(target.deploymentName, "green")}`, green.error),
    };
  const states = {
    blue: colorState("blue", blue.value, target.containerName),
    green: colorState("green", green.value, target.containerName),
  };
  return { live: states[live], idle: states[other(live)], selector: service.value.spec?.selector };
}

/**
 * The rollback hot path: one round trip of reads (the Service and both colours), then the
 * conditional selector PATCH. When the colour to go back to is not ready with the good version,
 * it is scaled up (or given that version) and waited for first: traffic never moves to pods that
 * are not ready, nor to a version a run failed with. A restart re-runs this step and converges:
 * the good version is recorded in the state before anything is written.
 */
/** How old the request's reads may be for the run to switch on them without reading again. */
const FRESH_READ_MS = 2000;

const switchBack: Step = {
  name: S.switchBack,
  async run(context, state) {
    const { gateway, target, dryRun } = context;
    const fresh =
      state.switchNow &&
      state.rollbackTo &&
      context.now().getTime() - new Date(state.switchNow.readAt).getTime() < FRESH_READ_MS;
    if (fresh && state.switchNow && state.rollbackTo) {
      // The other colour was ready with the good version a moment ago (the person saw it so): one
      // conditional PATCH, which the cluster refuses if traffic moved meanwhile.
      const { from, to } = state.switchNow;
      const switched = await switchSelector(context, from, to, state.rollbackTo, "switched back to");
      const facts: Partial<RunState> = {
        liveColor: from,
        idleColor: to,
        fromImage: state.expectLiveImage,
        toImage: state.rollbackTo,
        switchNow: undefined,
      };
      // Refused or unreachable: read everything and decide again, as without the request's reads.
      return switched.status === "done"
        ? { ...switched, state: facts }
        : { status: "waiting", retryInMs: 0, message: switched.message, state: { switchNow: undefined } };
    }
    const read = await readColors(context);
    if (read.error) return read.error;
    const live = read.live!;
    const idle = read.idle!;
    const plan = planBlueGreenRollback(live, idle, {
      candidates: state.candidates ?? [],
      expectLiveImage: state.expectLiveImage,
      rollbackTo: state.rollbackTo,
    });
    if (!plan.ok) return { status: "failed", message: plan.why };
    if (plan.action === "already") {
      // A restart after the switch landed: the good version already serves.
      return {
        status: "done",
        message: `Service ${target.kubeServiceName} selects ${live.color} (${live.image})`,
        trafficSwitched: !dryRun,
        state: { idleColor: live.color, toImage: plan.image },
      };
    }
    const facts: Partial<RunState> = {
      liveColor: live.color,
      idleColor: idle.color,
      replicas: plan.replicas,
      fromImage: live.image,
      toImage: plan.image,
      rollbackTo: plan.image,
    };
    if (plan.action === "switch") {
      const switched = await switchSelector(context, live.color, idle.color, plan.image, "switched back to");
      return switched.status === "done" ? { ...switched, state: facts } : switched;
    }
    const name = colorDeployment(target.deploymentName, idle.color);
    if (plan.action === "redeploy" || idle.desired < plan.replicas) {
      const patch =
        plan.action === "redeploy"
          ? imagePatch(target.containerName, plan.image, plan.replicas)
          : { spec: { replicas: plan.replicas } };
      const written = await gateway.patchDeployment(
        target.namespace,
        name,
        plan.action === "redeploy" ? "strategic" : "merge",
        patch,
        { dryRun },
      );
      if (!written.ok)
        return fromK8sError(
          plan.action === "redeploy" ? `setting ${name} to ${plan.image}` : `scaling ${name} back up`,
          written.error,
          patch,
        );
    }
    const read2 = await gateway.readDeployment(target.namespace, name);
    if (read2.ok) {
      const status = rolloutStatus(read2.value);
      if (status.state === "failed")
        return {
          status: "failed",
          message: `nothing switched: ${name} did not become ready with ${plan.image} (${status.message}); traffic stays on ${live.color} (${live.image})`,
        };
    }
    return {
      status: "waiting",
      retryInMs: POLL_MS,
      message: `${live.color} is live (${live.image}); ${plan.describe}`,
      state: facts,
      response: { selector: read.selector, target: plan.target },
    };
  },
};

export const blueGreenRollback: Step[] = [
  switchBack,
  verify(
    (s) => s.idleColor!,
    (s) => s.toImage,
  ),
];
