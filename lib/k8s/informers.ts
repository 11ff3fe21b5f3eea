import "server-only";
import type {
  KubernetesObject,
  V1Deployment,
  V1Ingress,
  V1Pod,
  V1ReplicaSet,
  V1Service,
} from "@kubernetes/client-node";
import { ListFailed, type ClusterGateway, type ClusterReader, type WatchedKind } from "@/lib/k8s/gateway";
import { classify, describeK8sError, err, ok, type K8sError, type K8sResult } from "@/lib/k8s/result";
import { log } from "@/lib/log";
import { cacheMetrics } from "@/lib/telemetry/metrics";

/**
 * The service page's view of a cluster: a watch-based cache, one client-node informer (list, then
 * watch from that list's resourceVersion) per cluster, namespace and kind, label-selected where
 * the page asks by label, however many people look. Started by the first view that needs it,
 * stopped after IDLE_STOP_MS without one. The deploy engine never reads from here: it must see
 * the truth at the moment it acts, so it calls the cluster through the gateway itself.
 *
 * A watch that fails (connection dropped, cluster gone, a verb not granted) keeps what it had and
 * says since when it is stale and why; it restarts with back-off, resuming from its last
 * resourceVersion (relisting when the API server says 410 Gone). A view never waits longer than
 * SYNC_WAIT_MS for a first list: a cluster that does not answer is a message, not a hang. On-call
 * opens this page when the cluster is failing, and the answer then must not pile 200 viewers'
 * reads onto a struggling API server either: failing watches do not fall back to direct reads.
 */
export interface WatchState {
  /**
   * syncing: the first list is in flight; live: listed and watching; stale: the watch failed,
   * reads show what it last saw; unreachable: the first list failed, there is nothing to show.
   */
  status: "syncing" | "live" | "stale" | "unreachable";
  /** Since when it is in this state (for stale: since the watch went down). */
  since: Date;
  /** The cluster's error, when stale or unreachable. */
  error?: string;
}

/** How long a view waits for a watch's first list before it says the cluster has not answered. */
export const SYNC_WAIT_MS = 3000;
/** A watch no view has asked for in this long is stopped. */
export const IDLE_STOP_MS = 5 * 60_000;
const RESTART_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

type Cache = ReturnType<ClusterGateway["informer"]>;

/** Why a watch or its list failed, as the gateway's errors say it. */
function failure(error: unknown): K8sError {
  if (error instanceof ListFailed) return error.error;
  // client-node's watch rejects a non-200 answer with an Error carrying statusCode (no body).
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number") return classify(Object.assign(new Error((error as Error).message), { code: status }));
  return classify(error);
}

/** One informer and its health. */
export class KindWatch {
  state: WatchState = { status: "syncing", since: new Date() };
  lastUsed = Date.now();
  /** The last failure, as the reads of an unreachable cluster answer it. */
  lastError: K8sError | undefined;
  private synced = false;
  private stopped = false;
  private failures = 0;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly settled: Promise<void>;
  private settle!: () => void;

  constructor(
    readonly key: string,
    private readonly cache: Cache,
  ) {
    this.settled = new Promise((resolve) => (this.settle = resolve));
    cache.on("error", (error: unknown) => this.failed(error));
    void this.run();
  }

  private async run(): Promise<void> {
    const failuresBefore = this.failures;
    try {
      // Resolves once listed and the watch is connected, or after its error callback ran.
      await this.cache.start();
    } catch (error) {
      this.failed(error);
    }
    if (this.stopped || this.failures !== failuresBefore) return;
    this.synced = true;
    this.restarts = 0;
    if (this.state.status !== "live") {
      if (this.state.status === "stale") log.info({ watch: this.key }, "cluster watch live again");
      this.state = { status: "live", since: new Date() };
    }
    this.settle();
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    this.failures += 1;
    this.lastError = failure(error);
    const reason = describeK8sError(this.lastError);
    const status = this.synced ? "stale" : "unreachable";
    if (this.state.status !== status) {
      this.state = { status, since: new Date(), error: reason };
      log.warn({ watch: this.key, error: reason }, "cluster watch failed");
    } else this.state = { ...this.state, error: reason };
    this.settle();
    if (this.restartTimer) return;
    const delay = RESTART_BACKOFF_MS[Math.min(this.restarts, RESTART_BACKOFF_MS.length - 1)];
    this.restarts += 1;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      // stop() aborts whatever is left of the failed watch; start() resumes from its resourceVersion.
      void this.cache.stop().then(() => (this.stopped ? undefined : this.run()));
    }, delay);
    this.restartTimer.unref();
  }

  /** Waits (at most `waitMs`) for the first list to succeed or fail. */
  async ready(waitMs = SYNC_WAIT_MS): Promise<WatchState> {
    this.lastUsed = Date.now();
    if (this.state.status === "syncing") {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.settled, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return this.state;
  }

  /** Whether reads can be answered from what it holds (live, or stale with what it last saw). */
  get answers(): boolean {
    return this.state.status === "live" || this.state.status === "stale";
  }

  get<T extends KubernetesObject>(name: string, namespace: string): T | undefined {
    return this.cache.get(name, namespace) as T | undefined;
  }

  list<T extends KubernetesObject>(namespace: string): T[] {
    return this.cache.list(namespace) as T[];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.settle();
    await this.cache.stop();
  }
}

/** The watches of one process. */
export class WatchRegistry {
  readonly watches = new Map<string, KindWatch>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly idleStopMs = IDLE_STOP_MS) {}

  watch(cluster: string, gateway: ClusterGateway, kind: WatchedKind, namespace: string, selector?: string) {
    const key = [cluster, namespace, kind, selector ?? ""].join("\u0000");
    let watch = this.watches.get(key);
    if (!watch) {
      watch = new KindWatch(key, gateway.informer(kind, namespace, selector));
      this.watches.set(key, watch);
      this.sweeper ??= setInterval(() => void this.sweep(), Math.min(60_000, this.idleStopMs)).unref();
    }
    watch.lastUsed = Date.now();
    return watch;
  }

  /** Stops the watches no view asked for in idleStopMs. */
  async sweep(now = Date.now()): Promise<number> {
    const idle = [...this.watches].filter(([, w]) => now - w.lastUsed > this.idleStopMs);
    for (const [key] of idle) this.watches.delete(key);
    await Promise.all(idle.map(([, w]) => w.stop()));
    return idle.length;
  }

  async stopAll(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(all.map((w) => w.stop()));
  }
}

// One registry per process, whichever copy of this module asks (Next bundles modules per route).
const KEY = Symbol.for("greenlight.cluster-watches");
export function processWatches(): WatchRegistry {
  const holder = globalThis as { [KEY]?: WatchRegistry };
  holder[KEY] ??= new WatchRegistry();
  return holder[KEY];
}

const ORDER: WatchState["status"][] = ["live", "stale", "syncing", "unreachable"];

/** A view of several watches: the worst state wins; the earliest since among equals. */
export function combined(states: readonly WatchState[]): WatchState | undefined {
  let worst: WatchState | undefined;
  for (const s of states) {
    if (!worst || ORDER.indexOf(s.status) > ORDER.indexOf(worst.status)) worst = s;
    else if (s.status === worst.status && s.since < worst.since) worst = { ...s, error: worst.error ?? s.error };
  }
  return worst;
}

export type ClusterView = ClusterReader & {
  /** How fresh the reads this view made in `namespace` were. */
  freshness(namespace: string): WatchState | undefined;
};

const notFound = (resource: string, name: string) =>
  err({ type: "not_found", status: 404, reason: "NotFound", message: `${resource} "${name}" not found` });

/**
 * A view's reader of one cluster, answered by the process's watches (lib/k8s/gateway.ts makes the
 * informers). One per page view: it remembers which watches it used, for freshness().
 */
export function cachedReader(
  cluster: string,
  gateway: ClusterGateway,
  registry: WatchRegistry = processWatches(),
): ClusterView {
  const counts = cacheMetrics("kubernetes-informer");
  const used = new Map<string, KindWatch[]>();

  async function read<T>(
    kind: WatchedKind,
    namespace: string,
    selector: string | undefined,
    answer: (watch: KindWatch) => K8sResult<T>,
  ): Promise<K8sResult<T>> {
    const watch = registry.watch(cluster, gateway, kind, namespace, selector);
    used.set(namespace, [...(used.get(namespace) ?? []), watch]);
    const wasReady = watch.answers;
    const state = await watch.ready();
    if (wasReady) counts.hit();
    else counts.miss();
    if (watch.answers) return answer(watch);
    if (state.status === "unreachable" && watch.lastError) return err(watch.lastError);
    return err({
      type: "timeout",
      message: `the cluster has not answered a list of ${kind} within ${SYNC_WAIT_MS / 1000} s`,
    });
  }

  const byName =
    <T extends KubernetesObject>(kind: WatchedKind, resource: string) =>
    (namespace: string, name: string) =>
      read<T>(kind, namespace, undefined, (w) => {
        const found = w.get<T>(name, namespace);
        return found ? ok(found) : notFound(resource, name);
      });

  return {
    freshness: (namespace) => combined((used.get(namespace) ?? []).map((w) => w.state)),
    readDeployment: byName<V1Deployment>("deployments", "deployments.apps"),
    readService: byName<V1Service>("services", "services"),
    readIngress: byName<V1Ingress>("ingresses", "ingresses.networking.k8s.io"),
    // Label-selected: the API server filters, the informer holds only that service's objects.
    listReplicaSets: (namespace, labelSelector) =>
      read("replicasets", namespace, labelSelector, (w) => ok(w.list<V1ReplicaSet>(namespace))),
    listPods: (namespace, labelSelector) => read("pods", namespace, labelSelector, (w) => ok(w.list<V1Pod>(namespace))),
  };
}
