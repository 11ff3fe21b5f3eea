/** Helpers shared by the sandbox's own tests (not used at runtime). */
import * as k8s from "@kubernetes/client-node";
import { startSandbox, type Sandbox, type SandboxOptions } from "./index";

/** Fast settings: pods Ready in 30-80 ms, controllers resync every 20 ms, no background load. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, tickMs: 20, readyDelayMs: [30, 80], loadGenerator: false, ...options });
}

export interface Clients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  networking: k8s.NetworkingV1Api;
}

export function clientsFor(sandbox: Sandbox): Clients {
  const kc = sandbox.kubeConfig();
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
  };
}

export function deploymentBody(
  name: string,
  image: string,
  replicas = 2,
  extra: Partial<k8s.V1DeploymentSpec> = {},
): k8s.V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image, ports: [{ containerPort: 8080 }] }] },
      },
      ...extra,
    },
  };
}

/** The error a client-node call rejected with, with its Status body parsed. */
export async function apiError(promise: Promise<unknown>): Promise<{ code: number; status: k8s.V1Status }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof k8s.ApiException) {
      const raw: unknown = error.body;
      const status = (typeof raw === "string" ? JSON.parse(raw) : raw) as k8s.V1Status;
      return { code: error.code, status };
    }
    throw error;
  }
  throw new Error("expected the call to fail");
}

/**
 * Waits like `kubectl rollout status`: a watch on the one Deployment (list, then watch from
 * the list's resourceVersion) until observedGeneration caught up and all replicas are
 * updated and available, failing on ProgressDeadlineExceeded.
 */
export async function waitForRollout(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  timeoutMs = 10_000,
): Promise<k8s.V1Deployment> {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const list = await apps.listNamespacedDeployment({ namespace, fieldSelector: `metadata.name=${name}` });
  const check = (d: k8s.V1Deployment): "done" | "failed" | "waiting" => {
    const status = d.status ?? {};
    if ((d.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) return "waiting";
    const progressing = status.conditions?.find((c) => c.type === "Progressing");
    if (progressing?.reason === "ProgressDeadlineExceeded") return "failed";
    const replicas = d.spec?.replicas ?? 1;
    if ((status.updatedReplicas ?? 0) < replicas) return "waiting";
    if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) return "waiting";
    if ((status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)) return "waiting";
    return "done";
  };
  const first = list.items[0];
  if (first && check(first) === "done") return first;
  if (first && check(first) === "failed") throw new Error(`deployment ${name} exceeded its progress deadline`);
  return new Promise((resolve, reject) => {
    let request: { abort(): void } | undefined;
    const timer = setTimeout(() => {
      request?.abort();
      reject(new Error(`rollout of ${name} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (error: Error | undefined, d?: k8s.V1Deployment) => {
      clearTimeout(timer);
      request?.abort();
      if (error) reject(error);
      else resolve(d as k8s.V1Deployment);
    };
    void new k8s.Watch(kc)
      .watch(
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        { fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata?.resourceVersion },
        (type: string, obj: k8s.V1Deployment) => {
          if (type !== "ADDED" && type !== "MODIFIED") return;
          const state = check(obj);
          if (state === "done") finish(undefined, obj);
          if (state === "failed") finish(new Error(`deployment ${name} exceeded its progress deadline`));
        },
        (err: unknown) => {
          if (err) finish(err instanceof Error ? err : new Error(String(err)));
        },
      )
      .then((r) => {
        request = r;
      });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(everyMs);
  }
}
