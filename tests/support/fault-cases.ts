/**
 * Pieces of the fault suite (tests/integration/faults.test.ts): per-run fault timing through the
 * fault proxy, the traffic-safety check, and a stand-in kubelet for crash-looping images on the
 * real test cluster.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import type { FaultAction, FaultProxy, Intercept, ProxiedRequest } from "@/tests/support/fault-proxy";

/** What a case's fault needs to know about its run: the step it is in right now. */
export type StepLookup = () => Promise<string | null | undefined>;

/**
 * Hands each request to the fault of the case whose namespace it is about (every case has its
 * own namespace); everything else is forwarded untouched.
 */
export class FaultRouter {
  private readonly byNamespace = new Map<string, Intercept>();

  constructor(proxy: FaultProxy) {
    proxy.intercept((request) => (request.namespace ? this.byNamespace.get(request.namespace)?.(request) : undefined));
  }

  set(namespace: string, intercept: Intercept): void {
    this.byNamespace.set(namespace, intercept);
  }

  clear(): void {
    this.byNamespace.clear();
  }
}

/**
 * Parks a run inside `step`: its cluster calls pass until one is made while the run is in that
 * step (the engine records the step before its first call, so that call belongs to it); that one
 * and every later one are held until `release`. With "response" the API server has acted on the
 * held call and the worker never hears back, the harder case for a step that writes.
 */
export function parkAt(step: string, lookup: StepLookup, hold: "request" | "response") {
  let open!: () => void;
  const released = new Promise<void>((resolve) => (open = resolve));
  let markParked!: () => void;
  const parked = new Promise<void>((resolve) => (markParked = resolve));
  let isParked = false;
  const holding = (): FaultAction => (hold === "request" ? { holdRequest: released } : { holdResponse: released });
  const intercept: Intercept = async () => {
    if (isParked) return holding();
    if ((await lookup().catch(() => undefined)) !== step) return undefined;
    isParked = true;
    markParked();
    return holding();
  };
  return { intercept, parked, release: () => open(), isParked: () => isParked };
}

/**
 * While the run is in `step`, for `windowMs` from its first call there: 200 ms more latency on
 * every call, the first one answered 503, then half of them failing (503, 500, or the connection
 * dropped before or after the server acted).
 */
export function flakyDuring(step: string, lookup: StepLookup, windowMs: number) {
  let until = 0;
  let done = false;
  let injected = 0;
  const intercept: Intercept = async (request: ProxiedRequest) => {
    if (done) return undefined;
    const current = await lookup().catch(() => undefined);
    if (current !== step) {
      if (until) done = true;
      return undefined;
    }
    until ||= Date.now() + windowMs;
    if (Date.now() > until) {
      done = true;
      return undefined;
    }
    const roll = injected === 0 ? 0 : Math.random();
    const action: FaultAction = { delayMs: 200 };
    if (roll < 0.2) action.fail = 503;
    else if (roll < 0.35) action.fail = 500;
    else if (roll < 0.5) action.reset = request.write && roll < 0.45 ? "after" : "before";
    if (action.fail || action.reset) injected++;
    return action;
  };
  return { intercept, injected: () => injected };
}

/**
 * From the run's first call in `step` until its deadline has passed, every call fails (503), as
 * a cluster that stopped answering would; then the cluster is back for whatever the engine does
 * after the deadline (clean-up). The cluster stays away a few seconds past the deadline, so that
 * a call the engine started just before its deadline but that reaches the proxy late (a loaded
 * machine) cannot still complete the step.
 */
export function failUntilDeadline(step: string, lookup: StepLookup, deadline: () => number, graceMs = 3000) {
  let failing = false;
  const intercept: Intercept = async () => {
    if (Date.now() > deadline() + graceMs) return undefined;
    if (!failing && (await lookup().catch(() => undefined)) !== step) return undefined;
    failing = true;
    return { fail: 503 };
  };
  return { intercept, hit: () => failing };
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

function settled(d: V1Deployment): boolean {
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return false;
  if (s.conditions?.some((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded")) return true;
  const want = d.spec?.replicas ?? 0;
  return (s.replicas ?? 0) === want && (s.updatedReplicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
}

export interface TrafficVerdict {
  safe: boolean;
  /** What the Service selects: its selector and the selected pods by image and readiness. */
  detail: string;
}

/**
 * Whether the Service sends traffic only to versions that had been good: once the namespace's
 * rollouts have come to rest, the Service's selector must select at least one ready pod, and
 * every selected ready pod (the pods it routes to) must run one of `good`. Read straight from
 * the cluster, never through the fault proxy.
 */
export async function trafficVerdict(
  kubeConfig: KubeConfig,
  namespace: string,
  serviceName: string,
  good: string[],
  settleMs = 15_000,
): Promise<TrafficVerdict> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const until = Date.now() + settleMs;
  while (Date.now() < until && !(await apps.listNamespacedDeployment({ namespace })).items.every(settled))
    await sleep(200);
  const service = await core.readNamespacedService({ namespace, name: serviceName });
  const selector = Object.entries(service.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
  const imageOf = (p: V1Pod) => (p.spec?.containers ?? []).map((c) => c.image ?? "?").join("+");
  const ready = pods.filter(isReady);
  const wrong = ready.filter(
    (p) => !(p.spec?.containers ?? []).every((c) => c.image !== undefined && good.includes(c.image)),
  );
  const groups = new Map<string, number>();
  for (const p of pods) {
    const key = `${imageOf(p).replace(/^.*\//, "")} ${isReady(p) ? "ready" : "not ready"}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const selected = [...groups].map(([key, n]) => `${n}× ${key}`).join(", ") || "no pods";
  return { safe: ready.length > 0 && wrong.length === 0, detail: `selector ${selector || "(none)"} → ${selected}` };
}

/**
 * The real test cluster's fake kubelet marks every pod Ready, since no container runs there. A
 * kubelet never keeps a crash-looping container Ready, so this marks pods of images tagged
 * `crashloop` not Ready (CrashLoopBackOff) again, which the sandbox's kubelet does by itself.
 * Their Deployments need a minReadySeconds longer than this takes, so that such a pod never
 * counts as available in between.
 */
export function crashLoopKubelet(kubeConfig: KubeConfig, namespaces: string[]): { stop(): Promise<void> } {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const namespace of namespaces) {
        const pods = await core.listNamespacedPod({ namespace }).catch(() => ({ items: [] as V1Pod[] }));
        for (const pod of pods.items) {
          const crashing = pod.spec?.containers.some((c) => c.image?.includes("crashloop"));
          if (!crashing || pod.status?.phase !== "Running" || !isReady(pod) || pod.metadata?.deletionTimestamp)
            continue;
          const now = new Date();
          const conditions = ["PodScheduled", "Initialized"].map((type) => ({
            type,
            status: "True",
            lastTransitionTime: now,
          }));
          for (const type of ["ContainersReady", "Ready"])
            conditions.push({
              type,
              status: "False",
              lastTransitionTime: now,
              reason: "ContainersNotReady",
            } as (typeof conditions)[number]);
          const containerStatuses = pod.spec!.containers.map((c) => ({
            name: c.name,
            image: c.image,
            imageID: "",
            ready: false,
            started: false,
            restartCount: 1,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off restarting failed container" } },
          }));
          await core
            .patchNamespacedPodStatus(
              { namespace, name: pod.metadata!.name!, body: { status: { conditions, containerStatuses } } },
              setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
            )
            .catch(() => undefined);
        }
      }
      await sleep(400);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
