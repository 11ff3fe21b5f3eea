/**
 * Scheduler + kubelet stand-in: binds pods to the one sandbox node, "pulls" and starts
 * them after a short delay, runs the demo HTTP server of each Ready pod, and keeps
 * crash-looping images (tag contains `crashloop`) restarting and never Ready.
 */
import { now, type ApiCore } from "./api";
import { isPodReady, POD_ADDRESS_ANNOTATION } from "./controller-utils";
import { typeByKind } from "./resources";
import { clone, type Condition, type JsonObject, type KubeObject, type Pod } from "./types";
import { imageBehaviour, type DemoWorkload } from "./workload";

const PODS = typeByKind("Pod");
export const NODE_NAME = "sandbox-node";
const CRASH_RESTART_MS = 2000;

export interface KubeletOptions {
  /** Time from scheduling to Ready, uniformly within [min, max] ms. */
  readyDelayMs: [number, number];
}

export class Kubelet {
  private readonly readyAt = new Map<string, number>();
  private readonly lastRestart = new Map<string, number>();
  private nextIp = 2;

  constructor(
    private readonly api: ApiCore,
    private readonly workload: DemoWorkload,
    private readonly options: KubeletOptions,
    private readonly onChange: () => void,
  ) {}

  syncAll(): void {
    const pods = this.api.listAs<Pod>(PODS);
    const live = new Set(pods.map((p) => p.metadata.uid));
    this.workload.retainOnly(live);
    for (const uid of this.readyAt.keys()) if (!live.has(uid)) this.readyAt.delete(uid);
    const nowMs = Date.now();
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      if (!pod.spec.nodeName) {
        this.schedule(pod);
        continue;
      }
      const behaviour = imageBehaviour(pod.spec.containers[0]?.image ?? "");
      if (!this.readyAt.has(pod.metadata.uid)) {
        const [min, max] = this.options.readyDelayMs;
        this.readyAt.set(pod.metadata.uid, nowMs + min + Math.random() * Math.max(0, max - min));
      }
      if (behaviour.crashLoop) {
        if (nowMs >= (this.readyAt.get(pod.metadata.uid) ?? 0)) this.crashLoop(pod, nowMs);
        continue;
      }
      if (isPodReady(pod)) {
        // Ready before a restart of the sandbox: bring its server back on a new port.
        if (!this.workload.isRunning(pod.metadata.uid)) void this.startServer(pod);
        continue;
      }
      if (nowMs >= (this.readyAt.get(pod.metadata.uid) ?? 0)) void this.startServer(pod);
    }
  }

  /** Milliseconds until the next pod is due to change, so the controller loop can sleep. */
  nextDueInMs(): number | undefined {
    const nowMs = Date.now();
    let next: number | undefined;
    for (const at of this.readyAt.values()) if (at > nowMs && (next === undefined || at < next)) next = at;
    return next === undefined ? undefined : next - nowMs;
  }

  private schedule(pod: Pod): void {
    const next = clone(pod);
    next.spec.nodeName = NODE_NAME;
    const at = now();
    next.status = {
      phase: "Pending",
      conditions: [
        { type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: at } as unknown as Condition,
        {
          type: "Ready",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: at,
          reason: "ContainersNotReady",
          message: `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(" ")}]`,
        } as unknown as Condition,
        {
          type: "ContainersReady",
          status: "False",
          lastProbeTime: null,
          lastTransitionTime: at,
          reason: "ContainersNotReady",
          message: `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(" ")}]`,
        } as unknown as Condition,
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: at } as unknown as Condition,
      ],
      hostIP: "127.0.0.1",
      startTime: at,
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        state: { waiting: { reason: "ContainerCreating" } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: c.image,
        imageID: "",
        started: false,
      })),
      qosClass: "BestEffort",
    };
    // Binding sets spec.nodeName, which a client cannot change with a plain update.
    this.api.controllerWrite(PODS, next as unknown as KubeObject);
  }

  private async startServer(pod: Pod): Promise<void> {
    let port: number;
    try {
      port = await this.workload.start(pod);
    } catch {
      return;
    }
    const fresh = this.api.find(PODS, pod.metadata.namespace, pod.metadata.name) as Pod | undefined;
    if (!fresh || fresh.metadata.uid !== pod.metadata.uid || fresh.metadata.deletionTimestamp) {
      this.workload.stop(pod.metadata.uid);
      return;
    }
    const next = clone(fresh);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [POD_ADDRESS_ANNOTATION]: `127.0.0.1:${port}` };
    if (!isPodReady(fresh)) {
      const at = now();
      const ip = this.allocateIp();
      next.status = {
        ...(next.status ?? {}),
        phase: "Running",
        podIP: ip,
        podIPs: [{ ip }],
        conditions: (next.status?.conditions ?? []).map((c) =>
          c.type === "Ready" || c.type === "ContainersReady"
            ? ({ type: c.type, status: "True", lastProbeTime: null, lastTransitionTime: at } as unknown as Condition)
            : c,
        ),
        containerStatuses: next.spec.containers.map((c) => ({
          name: c.name,
          state: { running: { startedAt: at } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: c.image,
          imageID: `${c.image.split(":")[0]}@sha256:${"0".repeat(64)}`,
          containerID: `containerd://${pod.metadata.uid.replace(/-/g, "")}`,
          started: true,
        })),
      };
    }
    this.api.controllerWrite(PODS, next as unknown as KubeObject);
    this.onChange();
  }

  /** A made-up pod IP (10.244.x.y) no live pod holds, also after a restart from saved state. */
  private allocateIp(): string {
    const used = new Set(this.api.listAs<Pod>(PODS).map((p) => p.status?.podIP));
    for (;;) {
      const n = this.nextIp++;
      const ip = `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
      if (!used.has(ip)) return ip;
    }
  }

  private crashLoop(pod: Pod, nowMs: number): void {
    const last = this.lastRestart.get(pod.metadata.uid) ?? 0;
    if (nowMs - last < CRASH_RESTART_MS) return;
    this.lastRestart.set(pod.metadata.uid, nowMs);
    const next = clone(pod);
    const previous = (pod.status?.containerStatuses ?? []) as JsonObject[];
    next.status = {
      ...(next.status ?? {}),
      phase: "Running",
      containerStatuses: next.spec.containers.map((c, i) => ({
        name: c.name,
        state: {
          waiting: {
            reason: "CrashLoopBackOff",
            message: `back-off restarting failed container ${c.name} in pod ${pod.metadata.name}`,
          },
        },
        lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: now(), finishedAt: now() } },
        ready: false,
        restartCount: (Number(previous[i]?.restartCount) || 0) + 1,
        image: c.image,
        imageID: "",
        started: false,
      })),
    };
    this.api.controllerWrite(PODS, next as unknown as KubeObject);
  }
}
