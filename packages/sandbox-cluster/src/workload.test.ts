import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoWorkload, type Sandbox } from "./index";
import { typeByKind } from "./resources";
import type { Pod, Service } from "./types";
import { clientsFor, eventually, startTestSandbox, waitForRollout, type Clients } from "./test-support";

let sandbox: Sandbox;
let c: Clients;
const ns = "shop-staging";

beforeAll(async () => {
  // A brisk load so the counters move within the test.
  sandbox = await startTestSandbox({ loadGenerator: { rps: 40 } });
  c = clientsFor(sandbox);
  await seedDemoWorkload(sandbox.kubeConfig());
  await seedDemoWorkload(sandbox.kubeConfig()); // idempotent
  await Promise.all(["catalog", "checkout-blue", "search"].map((name) => waitForRollout(c.kc, ns, name)));
}, 15_000);

afterAll(async () => {
  await sandbox?.stop();
});

async function scrape(address: string): Promise<string> {
  return (await fetch(`http://${address}/metrics`)).text();
}

describe("demo workload", () => {
  it("seeds what the app's demo data expects", async () => {
    const deployments = await c.apps.listNamespacedDeployment({ namespace: "shop-production" });
    const summary = Object.fromEntries(
      deployments.items.map((d) => [
        d.metadata?.name,
        `${d.spec?.replicas} ${d.spec?.template?.spec?.containers[0].image}`,
      ]),
    );
    expect(summary).toEqual({
      catalog: "2 registry.greenlight.local/shop/catalog:2.9.0",
      "checkout-blue": "2 registry.greenlight.local/shop/checkout:1.4.2",
      "checkout-green": "0 registry.greenlight.local/shop/checkout:1.4.2",
      search: "3 registry.greenlight.local/shop/search:0.18.1",
      "search-canary": "0 registry.greenlight.local/shop/search:0.18.1",
    });
    const checkout = await c.core.readNamespacedService({ name: "checkout", namespace: ns });
    expect(checkout.spec?.selector).toEqual({ app: "checkout", color: "blue" });
    const endpoints = await eventually(async () => {
      const ep = await c.core.readNamespacedEndpoints({ name: "checkout", namespace: ns });
      return ep.subsets?.[0]?.addresses?.length === 2 ? ep : undefined;
    });
    expect(endpoints.subsets?.[0].addresses?.every((a) => a.targetRef?.name?.startsWith("checkout-blue-"))).toBe(true);
  });

  it("serves / and Prometheus metrics with identity labels on every Ready pod", async () => {
    const res = await fetch(`${sandbox.url}/sandbox/targets`);
    const targets = (await res.json()) as { targets: string[]; labels: Record<string, string> }[];
    const stable = targets.filter((t) => t.labels.namespace === ns && t.labels.app === "search");
    expect(stable).toHaveLength(3);
    expect(stable[0].labels).toMatchObject({ app: "search", version: "0.18.1", track: "stable", deployment: "search" });
    const blue = targets.find((t) => t.labels.namespace === ns && t.labels.app === "checkout");
    expect(blue?.labels.color).toBe("blue");

    const address = stable[0].targets[0];
    expect((await fetch(`http://${address}/`)).status).toBe(200);
    const text = await eventually(async () => {
      const body = await scrape(address);
      return /http_requests_total\{[^}]*status="200"[^}]*\} [1-9]/.test(body) ? body : undefined;
    });
    const pod = stable[0].labels.pod;
    expect(text).toContain("# TYPE http_requests_total counter");
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
    expect(text).toMatch(
      new RegExp(
        `http_request_duration_seconds_bucket\\{namespace="${ns}",pod="${pod}",app="search",version="0.18.1",deployment="search",track="stable",le="0.005"\\} \\d+`,
      ),
    );
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*le="2.5"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*le="\+Inf"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*\} \d+/);
    expect(text).toMatch(/process_cpu_usage_ratio\{[^}]*\} 0\.\d+/);
    expect(text).toMatch(/process_memory_usage_ratio\{[^}]*\} 0\.\d+/);
  });

  it("a 'bad' version answers with 5xx and slowly; canary-weight routes that share of traffic", async () => {
    const strategic = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
    await c.apps.patchNamespacedDeployment(
      {
        name: "search-canary",
        namespace: ns,
        body: {
          spec: {
            replicas: 1,
            template: {
              spec: { containers: [{ name: "search", image: "registry.greenlight.local/shop/search:0.19.0-bad" }] },
            },
          },
        },
      },
      strategic,
    );
    await waitForRollout(c.kc, ns, "search-canary");
    // A canary Service and ingress-nginx canary Ingress sending 50 % of search's traffic to it.
    await c.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: "search-canary" },
        spec: { selector: { app: "search", track: "canary" }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    await c.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: {
          name: "search-canary",
          annotations: {
            "nginx.ingress.kubernetes.io/canary": "true",
            "nginx.ingress.kubernetes.io/canary-weight": "50",
          },
        },
        spec: {
          rules: [
            {
              host: `search.${ns}.sandbox.local`,
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: "search-canary", port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    const canary = await eventually(() =>
      sandbox.targets().find((t) => t.labels.namespace === ns && t.labels.track === "canary"),
    );
    expect(canary.labels.version).toBe("0.19.0-bad");

    // Direct requests: about 20 % fail, all are slower than 250 ms.
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await fetch(`http://${canary.targets[0]}/`)).status),
    );
    expect(Date.now() - started).toBeGreaterThan(200);
    expect(statuses.filter((s) => s >= 500).length).toBeGreaterThan(0);

    // The load generator reaches the canary only through the Ingress weight.
    const series = await eventually(
      async () => {
        const text = await scrape(canary.targets[0]);
        const total = [...text.matchAll(/^http_request_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce(
          (sum, m) => sum + Number(m[1]),
          0,
        );
        return total > 45 ? text : undefined;
      },
      6000,
      100,
    );
    expect(series).toMatch(/http_request_duration_seconds_bucket\{[^}]*le="0.25"\} \d+/);
    // kube-proxy-like choice honours the weight: 50 % go to the canary Service, and since the
    // main Service selects both tracks (3 stable + 1 canary), a quarter of the rest too: 62.5 %.
    const [services, ingresses, pods] = [typeByKind("Service"), typeByKind("Ingress"), typeByKind("Pod")].map((t) =>
      sandbox.api.list(t),
    );
    const search = services.find(
      (s) => s.metadata.namespace === ns && s.metadata.name === "search",
    ) as unknown as Service;
    let toCanary = 0;
    for (let i = 0; i < 2000; i++) {
      const pod = sandbox.load.pickPod(search, services as unknown as Service[], ingresses, pods as unknown as Pod[]);
      if (pod?.metadata.labels?.track === "canary") toCanary++;
    }
    expect(toCanary / 2000).toBeGreaterThan(0.57);
    expect(toCanary / 2000).toBeLessThan(0.68);
    const underQuarter = Number(/http_request_duration_seconds_bucket\{[^}]*le="0.25"\} (\d+)/.exec(series)?.[1]);
    expect(underQuarter).toBe(0);
  }, 15_000);
});
