import "server-only";
import http from "node:http";
import https from "node:https";
import {
  AppsV1Api,
  CoreV1Api,
  makeInformer,
  NetworkingV1Api,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type ObservableMiddleware,
  type V1Deployment,
  type V1Ingress,
  type V1Pod,
  type V1ReplicaSet,
  type V1Service,
} from "@kubernetes/client-node";
import { env } from "@/lib/env";
import { kubeConfigFor } from "@/lib/k8s/clusters";
import { classify, err, ok, type K8sError, type K8sResult } from "@/lib/k8s/result";
import { log } from "@/lib/log";
import { currentRequestId } from "@/lib/telemetry/request-context";
import { telemetry } from "@/lib/telemetry/metrics";

export type PatchType = "merge" | "strategic" | "json";

/** What a view reads (the service page): the gateway itself, or the watch cache of lib/k8s/informers.ts. */
export type ClusterReader = Pick<
  ClusterGateway,
  "readDeployment" | "readService" | "readIngress" | "listReplicaSets" | "listPods"
>;

/** The kinds the service page's watch cache (lib/k8s/informers.ts) keeps. */
export type WatchedKind = "deployments" | "replicasets" | "pods" | "services" | "ingresses";

const WATCH_PATHS: Record<WatchedKind, (namespace: string) => string> = {
  deployments: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  replicasets: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets`,
  pods: (ns) => `/api/v1/namespaces/${ns}/pods`,
  services: (ns) => `/api/v1/namespaces/${ns}/services`,
  ingresses: (ns) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
};

/** A list that failed, thrown for client-node's ListWatch (which expects a rejection), with the gateway's error. */
export class ListFailed extends Error {
  constructor(readonly error: K8sError) {
    super(error.message);
    this.name = "ListFailed";
  }
}

/** What came back through the API server's proxy: the pod's answer or the API server's refusal. */
export interface ProxiedAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

const CONTENT_TYPES: Record<PatchType, string> = {
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
  json: PatchStrategy.JsonPatch,
};

export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "test" | "move" | "copy";
  path: string;
  value?: unknown;
  from?: string;
}

export interface WriteOptions {
  /** Server-side dry run: the cluster validates and answers, nothing changes. */
  dryRun?: boolean;
}

export interface GatewayOptions {
  /** Every call fails with a timeout error after this long. */
  timeoutMs?: number;
  /** How often a read-modify-write is retried when the object changed underneath it (409). */
  conflictRetries?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Per-request options for client-node: the signal goes onto the request (its fetch is undici's,
 * which honours it), so a call that outlives its timeout is cancelled on the wire and its socket
 * closed, instead of only no longer being waited for. A write still being sent or queued is then
 * dropped; one the API server had already received may still be applied, so a timed-out write's
 * outcome is unknown.
 */
function requestOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  const abortable: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      // The API server records an Audit-ID a client sends as its audit event's id: the cluster's
      // audit log then names the Greenlight request (or run) that made the call.
      const requestId = currentRequestId();
      if (requestId) context.setHeaderParam("Audit-ID", requestId);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  const options: ConfigurationOptions = { middleware: [abortable], middlewareMergeStrategy: "append" };
  return contentType ? setHeaderOptions("Content-Type", contentType, options) : options;
}

/**
 * The only code that talks to a cluster. Every call answers with a value (`K8sResult`), never a
 * thrown error, and gives up after a timeout.
 */
export class ClusterGateway {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly timeoutMs: number;
  private readonly conflictRetries: number;

  private readonly kubeConfig: KubeConfig;

  constructor(kubeConfig: KubeConfig, options: GatewayOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.conflictRetries = options.conflictRetries ?? 5;
  }

  /** `operation` names the call in metrics and logs ("readDeployment"). */
  private async call<T>(operation: string, work: (signal: AbortSignal) => Promise<T>): Promise<K8sResult<T>> {
    const started = performance.now();
    const result = await this.attempt(work);
    telemetry().kubernetesRequestDuration.observe(
      { operation, outcome: result.ok ? "ok" : result.error.type },
      (performance.now() - started) / 1000,
    );
    // Not found, conflicts and refused changes are answers the engine expects and records;
    // an unreachable cluster or missing permissions are not.
    if (!result.ok)
      log[["not_found", "conflict", "invalid"].includes(result.error.type) ? "debug" : "warn"](
        { operation, error: result.error },
        "cluster call failed",
      );
    return result;
  }

  private async attempt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<K8sResult<T>> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = Object.assign(new Error("timeout"), { name: "TimeoutError" });
        controller.abort(error);
        // Also given up on here, should anything before the request (credentials) not heed the signal.
        reject(error);
      }, this.timeoutMs);
    });
    try {
      return ok(await Promise.race([work(controller.signal), timeout]));
    } catch (error) {
      return err(classify(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * An HTTP request to a pod, or to one of a Service's ready pods, through the API server's proxy
   * subresource: how a dashboard outside the cluster reaches pods, with the kubeconfig's own
   * credentials. The answer is the pod's (status, up to `maxBytes` of body), or the API server's
   * own when it could not forward (its Status body says why).
   */
  proxy(
    namespace: string,
    kind: "pods" | "services",
    name: string,
    request: { method: string; path: string; headers?: Record<string, string>; timeoutMs: number; maxBytes?: number },
  ): Promise<K8sResult<ProxiedAnswer>> {
    return this.call(`proxy${kind === "pods" ? "Pod" : "Service"}`, async (signal) => {
      const server = new URL(this.kubeConfig.getCurrentCluster()?.server ?? "");
      const options: https.RequestOptions = {};
      await this.kubeConfig.applyToHTTPSOptions(options);
      const path = `${server.pathname.replace(/\/$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(name)}/proxy${request.path.startsWith("/") ? "" : "/"}${request.path}`;
      const requestId = currentRequestId();
      const limit = request.maxBytes ?? 64 * 1024;
      const timeout = AbortSignal.any([signal, AbortSignal.timeout(request.timeoutMs)]);
      return new Promise<ProxiedAnswer>((resolve, reject) => {
        const send = server.protocol === "http:" ? http.request : https.request;
        const outgoing = send(
          {
            ...options,
            host: server.hostname,
            port: server.port || undefined,
            method: request.method,
            path,
            signal: timeout,
            headers: {
              ...(options.headers as Record<string, string> | undefined),
              ...request.headers,
              ...(requestId ? { "Audit-ID": requestId } : {}),
            },
          },
          (answer) => {
            const chunks: Buffer[] = [];
            let size = 0;
            answer.on("data", (chunk: Buffer) => {
              if (size < limit) chunks.push(chunk.subarray(0, limit - size));
              size += chunk.length;
            });
            answer.on("end", () =>
              resolve({
                status: answer.statusCode ?? 0,
                contentType: answer.headers["content-type"],
                body: Buffer.concat(chunks).toString("utf8"),
              }),
            );
            answer.on("error", reject);
          },
        );
        outgoing.on("error", reject);
        outgoing.end();
      });
    });
  }

  /**
   * A list-then-watch cache of one kind in one namespace (client-node's informer), for views only
   * (lib/k8s/informers.ts): the deploy engine reads the cluster itself. Its lists go through this
   * gateway (timeout, metrics, Audit-ID); the watch is client-node's, on the same kubeconfig.
   * Not started: the caller starts it, and restarts it after an error (ListWatch does not).
   */
  informer(
    kind: WatchedKind,
    namespace: string,
    labelSelector?: string,
  ): Informer<KubernetesObject> & ObjectCache<KubernetesObject> {
    const list = (signal: AbortSignal): Promise<KubernetesListObject<KubernetesObject>> => {
      const options = requestOptions(signal);
      switch (kind) {
        case "deployments":
          return this.apps.listNamespacedDeployment({ namespace, labelSelector }, options);
        case "replicasets":
          return this.apps.listNamespacedReplicaSet({ namespace, labelSelector }, options);
        case "pods":
          return this.core.listNamespacedPod({ namespace, labelSelector }, options);
        case "services":
          return this.core.listNamespacedService({ namespace, labelSelector }, options);
        case "ingresses":
          return this.networking.listNamespacedIngress({ namespace, labelSelector }, options);
      }
    };
    return makeInformer(
      this.kubeConfig,
      WATCH_PATHS[kind](encodeURIComponent(namespace)),
      async () => {
        const answer = await this.call(`informerList:${kind}`, list);
        if (!answer.ok) throw new ListFailed(answer.error);
        return answer.value;
      },
      labelSelector,
    );
  }

  readDeployment(namespace: string, name: string) {
    return this.call("readDeployment", (signal) =>
      this.apps.readNamespacedDeployment({ namespace, name }, requestOptions(signal)),
    );
  }

  patchDeployment(namespace: string, name: string, type: PatchType, body: object, options: WriteOptions = {}) {
    return this.call("patchDeployment", (signal) =>
      this.apps.patchNamespacedDeployment(
        { namespace, name, body, dryRun: options.dryRun ? "All" : undefined },
        requestOptions(signal, CONTENT_TYPES[type]),
      ),
    );
  }

  replaceDeployment(namespace: string, name: string, body: V1Deployment, options: WriteOptions = {}) {
    return this.call("replaceDeployment", (signal) =>
      this.apps.replaceNamespacedDeployment(
        { namespace, name, body, dryRun: options.dryRun ? "All" : undefined },
        requestOptions(signal),
      ),
    );
  }

  /**
   * Read, change, write back with the read resourceVersion; when someone else wrote in between
   * (409), read again and re-apply the change.
   */
  async updateDeployment(
    namespace: string,
    name: string,
    change: (current: V1Deployment) => V1Deployment | Promise<V1Deployment>,
    options: WriteOptions = {},
  ): Promise<K8sResult<V1Deployment>> {
    let last: K8sResult<V1Deployment> | undefined;
    for (let attempt = 0; attempt <= this.conflictRetries; attempt++) {
      const current = await this.readDeployment(namespace, name);
      if (!current.ok) return current;
      last = await this.replaceDeployment(namespace, name, await change(structuredClone(current.value)), options);
      if (last.ok || last.error.type !== "conflict") return last;
    }
    return last!;
  }

  listReplicaSets(namespace: string, labelSelector: string) {
    return this.call(
      "listReplicaSets",
      async (signal) =>
        (await this.apps.listNamespacedReplicaSet({ namespace, labelSelector }, requestOptions(signal)))
          .items as V1ReplicaSet[],
    );
  }

  listPods(namespace: string, labelSelector: string) {
    return this.call(
      "listPods",
      async (signal) =>
        (await this.core.listNamespacedPod({ namespace, labelSelector }, requestOptions(signal))).items as V1Pod[],
    );
  }

  readService(namespace: string, name: string) {
    return this.call("readService", (signal) =>
      this.core.readNamespacedService({ namespace, name }, requestOptions(signal)),
    );
  }

  patchService(namespace: string, name: string, type: PatchType, body: object, options: WriteOptions = {}) {
    return this.call("patchService", (signal) =>
      this.core.patchNamespacedService(
        { namespace, name, body, dryRun: options.dryRun ? "All" : undefined },
        requestOptions(signal, CONTENT_TYPES[type]),
      ),
    ) as Promise<K8sResult<V1Service>>;
  }

  readIngress(namespace: string, name: string) {
    return this.call("readIngress", (signal) =>
      this.networking.readNamespacedIngress({ namespace, name }, requestOptions(signal)),
    ) as Promise<K8sResult<V1Ingress>>;
  }

  patchIngress(namespace: string, name: string, type: PatchType, body: object, options: WriteOptions = {}) {
    return this.call("patchIngress", (signal) =>
      this.networking.patchNamespacedIngress(
        { namespace, name, body, dryRun: options.dryRun ? "All" : undefined },
        requestOptions(signal, CONTENT_TYPES[type]),
      ),
    ) as Promise<K8sResult<V1Ingress>>;
  }
}

const gateways = new Map<string, ClusterGateway>();

/** The gateway for a configured cluster (see lib/k8s/clusters.ts). */
export function gatewayFor(cluster: string): ClusterGateway {
  let gateway = gateways.get(cluster);
  if (!gateway) {
    gateway = new ClusterGateway(kubeConfigFor(cluster), { timeoutMs: env().K8S_TIMEOUT_MS });
    gateways.set(cluster, gateway);
  }
  return gateway;
}

export function forgetGateways(): void {
  gateways.clear();
}
