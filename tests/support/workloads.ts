import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment } from "@kubernetes/client-node";

export interface TestCluster {
  name: string;
  kubeConfig: KubeConfig;
  /** The sandbox's fault injection; real clusters have none. */
  faults?: {
    set(config: { errorRate?: number; latencyMs?: number; conflictRate?: number; paths?: RegExp }): void;
    clear(): void;
  };
}

/** Per-workload overrides: the fault suite runs 2 replicas and lets failing rollouts fail fast. */
export interface WorkloadOptions {
  replicas?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
}

function deployment(
  name: string,
  labels: Record<string, string>,
  replicas: number,
  image: string,
  options: WorkloadOptions = {},
): V1Deployment {
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 30,
      ...(options.minReadySeconds ? { minReadySeconds: options.minReadySeconds } : {}),
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "web", image }] } },
    },
  };
}

const created = new Map<TestCluster, Set<string>>();

/**
 * A fresh namespace with a service's objects laid out the way each strategy expects. Services
 * are headless: a real cluster's service IP range is small, and a selector switch needs no IP.
 */
export async function createWorkload(
  cluster: TestCluster,
  namespace: string,
  strategy: "ROLLING" | "BLUE_GREEN" | "CANARY",
  image: string,
  options: WorkloadOptions = {},
) {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  created.set(cluster, (created.get(cluster) ?? new Set()).add(namespace));
  if (strategy === "ROLLING") {
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment("web", { app: "web" }, options.replicas ?? 2, image, options),
    });
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: "web" }, spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ port: 80 }] } },
    });
  } else if (strategy === "BLUE_GREEN") {
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment("web-blue", { app: "web", color: "blue" }, options.replicas ?? 2, image, options),
    });
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment("web-green", { app: "web", color: "green" }, 0, image, options),
    });
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: "web" },
        spec: { clusterIP: "None", selector: { app: "web", color: "blue" }, ports: [{ port: 80 }] },
      },
    });
  } else {
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment("web", { app: "web", track: "stable" }, options.replicas ?? 3, image, options),
    });
    await apps.createNamespacedDeployment({
      namespace,
      body: deployment("web-canary", { app: "web", track: "canary" }, 0, image, options),
    });
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: "web" }, spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ port: 80 }] } },
    });
  }
  await waitFor(async () => {
    const list = await apps.listNamespacedDeployment({ namespace });
    return list.items.every(
      (d) =>
        (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 0) &&
        (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0),
    );
  }, 30_000);
  return { core, apps };
}

/** Deletes the namespaces createWorkload made on a cluster, so repeated runs do not pile up. */
export async function removeWorkloads(cluster: TestCluster): Promise<void> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  await Promise.all(
    [...(created.get(cluster) ?? [])].map((name) => core.deleteNamespace({ name }).catch(() => undefined)),
  );
  created.delete(cluster);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function realClusterFromEnv(): TestCluster | null {
  const path = process.env.K8S_TEST_KUBECONFIG;
  if (!path) return null;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return { name: "real", kubeConfig };
}
