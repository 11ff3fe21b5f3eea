/**
 * The demo workload the app's seed data (lib/seed/seed.ts) describes, created through
 * @kubernetes/client-node so it works against the sandbox and a real cluster alike.
 * Idempotent: existing objects are left as they are (a deploy made in the app survives).
 *
 * Per namespace (shop-staging, shop-production):
 *  - catalog (rolling): Deployment `catalog` (2 replicas) + Service `catalog`.
 *  - checkout (blue-green): `checkout-blue` (live, 2 replicas) and `checkout-green` (same
 *    image, 0 replicas: the idle colour costs nothing until a deploy scales it up), pods
 *    labelled app=checkout,color=<colour>; Service `checkout` selects color=blue.
 *  - search (canary): `search` (stable, 3 replicas, track=stable), `search-canary`
 *    (0 replicas, track=canary); Service `search` selects app=search, so both tracks.
 *    Plus an Ingress `search` (host search.<namespace>.sandbox.local) that a canary
 *    Ingress with ingress-nginx canary annotations can pair with.
 */
import * as k8s from "@kubernetes/client-node";

export const DEMO_NAMESPACES = ["shop-staging", "shop-production"] as const;
export const DEMO_REGISTRY = "registry.greenlight.local/shop";
export const DEMO_VERSIONS = { checkout: "1.4.2", catalog: "2.9.0", search: "0.18.1" } as const;

export function demoImage(service: keyof typeof DEMO_VERSIONS, version: string = DEMO_VERSIONS[service]): string {
  return `${DEMO_REGISTRY}/${service}:${version}`;
}

function deployment(
  namespace: string,
  name: string,
  container: string,
  image: string,
  replicas: number,
  labels: Record<string, string>,
): k8s.V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: labels.app } },
    spec: {
      replicas,
      // A demo version that never gets ready fails its deploy within half a minute (not the
      // default ten), so a fresh `npm start` shows a failed deploy and its recovery quickly.
      progressDeadlineSeconds: 30,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: container, image, ports: [{ name: "http", containerPort: 8080 }] }] },
      },
    },
  };
}

function service(namespace: string, name: string, selector: Record<string, string>): k8s.V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: { app: name } },
    spec: { selector, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
  };
}

function ingress(namespace: string, name: string): k8s.V1Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      ingressClassName: "nginx",
      rules: [
        {
          host: `${name}.${namespace}.sandbox.local`,
          http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name, port: { number: 80 } } } }] },
        },
      ],
    },
  };
}

async function ignoreExists<T>(create: () => Promise<T>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (error instanceof k8s.ApiException && error.code === 409) return;
    throw error;
  }
}

/** Creates the demo namespaces, Deployments, Services and Ingress (only what is missing). */
export async function seedDemoWorkload(target: k8s.KubeConfig | { kubeconfigPath: string }): Promise<void> {
  let kc: k8s.KubeConfig;
  if (target instanceof k8s.KubeConfig) kc = target;
  else {
    kc = new k8s.KubeConfig();
    kc.loadFromFile(target.kubeconfigPath);
  }
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const networking = kc.makeApiClient(k8s.NetworkingV1Api);
  for (const namespace of DEMO_NAMESPACES) {
    await ignoreExists(() => core.createNamespace({ body: { metadata: { name: namespace } } }));
    const deployments = [
      deployment(namespace, "catalog", "catalog", demoImage("catalog"), 2, { app: "catalog" }),
      deployment(namespace, "checkout-blue", "checkout", demoImage("checkout"), 2, { app: "checkout", color: "blue" }),
      deployment(namespace, "checkout-green", "checkout", demoImage("checkout"), 0, {
        app: "checkout",
        color: "green",
      }),
      deployment(namespace, "search", "search", demoImage("search"), 3, { app: "search", track: "stable" }),
      deployment(namespace, "search-canary", "search", demoImage("search"), 0, { app: "search", track: "canary" }),
    ];
    for (const body of deployments) await ignoreExists(() => apps.createNamespacedDeployment({ namespace, body }));
    const services = [
      service(namespace, "catalog", { app: "catalog" }),
      service(namespace, "checkout", { app: "checkout", color: "blue" }),
      service(namespace, "search", { app: "search" }),
    ];
    for (const body of services) await ignoreExists(() => core.createNamespacedService({ namespace, body }));
    await ignoreExists(() => networking.createNamespacedIngress({ namespace, body: ingress(namespace, "search") }));
  }
}
