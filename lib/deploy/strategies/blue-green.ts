import { containerImage } from "@/lib/deploy/rollout-status";
import { fromK8sError, imagePatch, POLL_MS, waitForRollout, written } from "@/lib/deploy/step-helpers";
import type { Step, StepContext, StepResult } from "@/lib/deploy/types";

const COLORS = ["blue", "green"] as const;

export function colorDeployment(base: string, color: string): string {
  return `${base}-${color}`;
}

function other(color: string): string {
  return color === "blue" ? "green" : "blue";
}

async function liveColor(context: StepContext): Promise<{ color?: string; error?: StepResult }> {
  const { gateway, target } = context;
  const service = await gateway.readService(target.namespace, target.kubeServiceName);
  if (!service.ok) return { error: fromK8sError(`reading Service ${target.kubeServiceName}`, service.error) };
  const color = service.value.spec?.selector?.[target.colorLabelKey];
  if (!color || !(COLORS as readonly string[]).includes(color)) {
    return { error: { status: "failed", message: `Service ${target.kubeServiceName} does not select a colour with "${target.colorLabelKey}: blue|green"` } };
  }
  return { color };
}

const inspect: Step = {
  name: "inspect",
  async run(context) {
    const { gateway, target, image } = context;
    const live = await liveColor(context);
    if (live.error) return live.error;
    const liveName = colorDeployment(target.deploymentName, live.color!);
    const deployment = await gateway.readDeployment(target.namespace, liveName);
    if (!deployment.ok) return fromK8sError(`reading Deployment ${liveName}`, deployment.error);
    const idle = other(live.color!);
    const idleRead = await gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, idle));
    if (!idleRead.ok) return fromK8sError(`reading Deployment ${colorDeployment(target.deploymentName, idle)}`, idleRead.error);
    const fromImage = containerImage(deployment.value, target.containerName);
    const replicas = Math.max(1, deployment.value.spec?.replicas ?? 1);
    return {
      status: "done",
      message: `${live.color} is live with ${fromImage} on ${replicas} replicas; deploying to ${idle}; rollback target: ${live.color}`,
      state: { liveColor: live.color, idleColor: idle, replicas, fromImage, toImage: image, rollbackTarget: { strategy: "BLUE_GREEN", color: live.color!, image: fromImage } },
      response: { selector: { [target.colorLabelKey]: live.color }, liveImage: fromImage, replicas },
    };
  },
};

const prepareIdle: Step = {
  name: "prepare-idle-color",
  async run({ gateway, target, image, dryRun }, state) {
    const name = colorDeployment(target.deploymentName, state.idleColor!);
    const patch = imagePatch(target.containerName, image, state.replicas);
    const result = await gateway.patchDeployment(target.namespace, name, "strategic", patch, { dryRun });
    return written(result, `preparing ${name}`, patch, dryRun, () => ({ status: "done", message: `${name} set to ${image} × ${state.replicas}`, request: patch }));
  },
};

const waitIdle: Step = {
  name: "wait-idle-ready",
  run: (context, state) => waitForRollout(context, colorDeployment(context.target.deploymentName, state.idleColor!)),
};

function switchTo(colorOf: (state: Parameters<Step["run"]>[1]) => string): Step {
  return {
    name: "switch-traffic",
    async run({ gateway, target, dryRun }, state) {
      const color = colorOf(state);
      const patch = { spec: { selector: { [target.colorLabelKey]: color } } };
      const result = await gateway.patchService(target.namespace, target.kubeServiceName, "merge", patch, { dryRun });
      return written(result, `switching Service ${target.kubeServiceName} to ${color}`, patch, dryRun, (s) => ({
        status: "done",
        message: `Service ${target.kubeServiceName} now selects ${color}`,
        trafficSwitched: !dryRun,
        request: patch,
        response: { selector: s.spec?.selector },
      }));
    },
  };
}

function verify(colorOf: (state: Parameters<Step["run"]>[1]) => string, expectImage: (state: Parameters<Step["run"]>[1]) => string | undefined): Step {
  return {
    name: "verify-traffic",
    async run({ gateway, target }, state) {
      const color = colorOf(state);
      const service = await gateway.readService(target.namespace, target.kubeServiceName);
      if (!service.ok) return fromK8sError(`reading Service ${target.kubeServiceName}`, service.error);
      const selector = service.value.spec?.selector ?? {};
      if (selector[target.colorLabelKey] !== color) {
        return { status: "failed", message: `Service ${target.kubeServiceName} selects ${selector[target.colorLabelKey]}, not ${color}: someone changed it` };
      }
      const pods = await gateway.listPods(target.namespace, Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(","));
      if (!pods.ok) return fromK8sError("listing the selected pods", pods.error);
      const live = pods.value.filter((p) => !p.metadata?.deletionTimestamp);
      const ready = live.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      const image = expectImage(state);
      const wrong = image ? live.filter((p) => !p.spec?.containers?.some((c) => c.image === image)) : [];
      if (ready.length === 0 || ready.length < live.length || wrong.length > 0) {
        return { status: "waiting", message: `${ready.length} of ${live.length} selected pods ready${wrong.length ? `, ${wrong.length} on another image` : ""}`, retryInMs: POLL_MS };
      }
      return { status: "done", message: `Service ${target.kubeServiceName} selects ${ready.length} ready ${color} pods`, response: { pods: ready.map((p) => p.metadata?.name) } };
    },
  };
}

export const blueGreenDeploy: Step[] = [inspect, prepareIdle, waitIdle, switchTo((s) => s.idleColor!), verify((s) => s.idleColor!, (s) => s.toImage)];

/**
 * The rollback hot path: three reads in parallel (the Service and both colours), then, with the
 * target colour persisted first so a restart can never flip traffic twice, one PATCH. When the
 * previous colour was scaled down, it is scaled back up and waited for before the switch.
 */
const switchBack: Step = {
  name: "switch-back",
  async run(context, state) {
    const { gateway, target, dryRun } = context;
    if (state.idleColor && state.replicas !== undefined) {
      const name = colorDeployment(target.deploymentName, state.idleColor);
      if (state.scaledUp) {
        const rollout = await waitForRollout(context, name);
        if (rollout.status !== "done") return rollout;
      }
      const patch = { spec: { selector: { [target.colorLabelKey]: state.idleColor } } };
      const result = await gateway.patchService(target.namespace, target.kubeServiceName, "merge", patch, { dryRun });
      return written(result, `switching Service ${target.kubeServiceName} back to ${state.idleColor}`, patch, dryRun, (s) => ({
        status: "done",
        message: `Service ${target.kubeServiceName} selects ${state.idleColor} again (${state.toImage})`,
        trafficSwitched: !dryRun,
        request: patch,
        response: { selector: s.spec?.selector },
      }));
    }
    const [service, blue, green] = await Promise.all([
      gateway.readService(target.namespace, target.kubeServiceName),
      gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, "blue")),
      gateway.readDeployment(target.namespace, colorDeployment(target.deploymentName, "green")),
    ]);
    if (!service.ok) return fromK8sError(`reading Service ${target.kubeServiceName}`, service.error);
    const live = service.value.spec?.selector?.[target.colorLabelKey];
    if (!live || !(COLORS as readonly string[]).includes(live)) {
      return { status: "failed", message: `Service ${target.kubeServiceName} does not select a colour with "${target.colorLabelKey}: blue|green"` };
    }
    const recorded = state.rollbackTarget?.strategy === "BLUE_GREEN" ? state.rollbackTarget.color : undefined;
    if (recorded === live) return { status: "failed", message: `nothing to roll back to: ${live}, the version before the last deploy, is already live` };
    const back = recorded ?? other(live);
    const [current, previous] = live === "blue" ? [blue, green] : [green, blue];
    if (!current.ok) return fromK8sError("reading the live Deployment", current.error);
    if (!previous.ok) return fromK8sError(`reading Deployment ${colorDeployment(target.deploymentName, back)}`, previous.error);
    const replicas = Math.max(1, current.value.spec?.replicas ?? 1);
    const fromImage = containerImage(current.value, target.containerName);
    const toImage = containerImage(previous.value, target.containerName);
    if (fromImage === toImage) return { status: "failed", message: `nothing to roll back to: ${back} runs the same image as ${live} (${fromImage})` };
    if (state.expectLiveImage && fromImage !== state.expectLiveImage) {
      return { status: "failed", message: `nothing rolled back: ${live} runs ${fromImage}, no longer ${state.expectLiveImage}, which this rollback was for` };
    }
    const ready = previous.value.status?.readyReplicas ?? 0;
    const scaledDown = (previous.value.spec?.replicas ?? 0) === 0;
    if (scaledDown && !dryRun) {
      const patch = { spec: { replicas } };
      const scaled = await gateway.patchDeployment(target.namespace, colorDeployment(target.deploymentName, back), "merge", patch);
      if (!scaled.ok) return fromK8sError(`scaling ${back} back up`, scaled.error, patch);
    }
    return {
      status: "waiting",
      retryInMs: 0,
      message: `${live} is live (${fromImage}); switching back to ${back} (${toImage}, ${scaledDown ? `scaled back up to ${replicas}` : `${ready} ready`})`,
      state: { liveColor: live, idleColor: back, replicas, fromImage, toImage, scaledUp: scaledDown || ready === 0 },
      response: { selector: service.value.spec?.selector, previousReadyReplicas: ready },
    };
  },
};

export const blueGreenRollback: Step[] = [switchBack, verify((s) => s.idleColor!, (s) => s.toImage)];

export async function blueGreenRollbackReady(context: StepContext, recordedColor?: string): Promise<{ ready: boolean; detail: string; live?: string }> {
  const live = await liveColor(context);
  if (live.error) return { ready: false, detail: live.error.message };
  if (recordedColor === live.color) return { ready: false, live: live.color, detail: `nothing to roll back to: ${live.color}, the version before the last deploy, is already live` };
  const back = other(live.color!);
  const [current, previous] = await Promise.all([
    context.gateway.readDeployment(context.target.namespace, colorDeployment(context.target.deploymentName, live.color!)),
    context.gateway.readDeployment(context.target.namespace, colorDeployment(context.target.deploymentName, back)),
  ]);
  if (!previous.ok) return { ready: false, detail: previous.error.message, live: live.color };
  const image = containerImage(previous.value, context.target.containerName);
  if (current.ok && containerImage(current.value, context.target.containerName) === image) {
    return { ready: false, live: live.color, detail: `nothing to roll back to: ${back} runs the same image as ${live.color}` };
  }
  const ready = previous.value.status?.readyReplicas ?? 0;
  return { ready: true, live: live.color, detail: `${back} (${image}), ${ready} ready replicas${ready === 0 ? " — will be scaled up first" : ""}` };
}
