/**
 * The service page's watch cache (lib/k8s/informers.ts) against the sandbox and the real API
 * server: one list and one watch per kind however many views read, changes and deletes seen
 * within a second, a dropped watch (the view keeps what it saw, says since when it is stale and
 * why, and is live again once the watch is back), and a cluster that refuses or never answers (a
 * clear message within seconds, never a hang).
 */
import net from "node:net";
import { randomBytes } from "node:crypto";
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ClusterGateway } from "@/lib/k8s/gateway";
import { cachedReader, IDLE_STOP_MS, SYNC_WAIT_MS, WatchRegistry } from "@/lib/k8s/informers";
import { startFaultProxy } from "@/tests/support/fault-proxy";
import { testClusters } from "@/tests/support/test-clusters";
import { createWorkload, removeWorkloads, waitFor, type TestCluster } from "@/tests/support/workloads";

vi.hoisted(() => {
  process.env.LOG_LEVEL = "silent";
});

const clusters = await testClusters();
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** A TCP forwarder in front of the API server whose connections the test can cut (TLS passes through). */
async function forwarder(kubeConfig: KubeConfig) {
  const upstream = new URL(kubeConfig.getCurrentCluster()!.server);
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    const to = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, to]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    client.pipe(to).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    kubeConfig: pointedAt(kubeConfig, `${upstream.protocol}//127.0.0.1:${(server.address() as net.AddressInfo).port}`),
    /** Cuts every open connection, watches included, and refuses new ones while `refuse` holds. */
    cut(refuse: boolean) {
      refusing = refuse;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function pointedAt(kubeConfig: KubeConfig, server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeConfig.exportConfig());
  const current = kc.getCurrentCluster()!;
  kc.clusters = kc.clusters.map((c) => (c.name === current.name ? { ...c, server } : c));
  return kc;
}

describe.each(clusters)("the watch cache on the $name cluster", (cluster: TestCluster) => {
  const registries: WatchRegistry[] = [];
  afterAll(async () => {
    await Promise.all(registries.map((r) => r.stopAll()));
    await removeWorkloads(cluster);
  });
  const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);

  it("one list and watch for any number of views; a change and a delete show within a second", async () => {
    const namespace = `watch-${randomBytes(3).toString("hex")}`;
    await createWorkload(cluster, namespace, "ROLLING", "registry.example.com/shop/web:1.0.0", { replicas: 1 });
    const proxy = await startFaultProxy(cluster.kubeConfig);
    const registry = new WatchRegistry();
    registries.push(registry);
    const gateway = new ClusterGateway(proxy.kubeConfig, { timeoutMs: 3000 });
    // One reader per page view, as the page makes them; the watches are the process's.
    const view = () => cachedReader(cluster.name, gateway, registry);
    try {
      const first = view();
      const read = await first.readDeployment(namespace, "web");
      expect(read.ok && read.value.spec?.replicas).toBe(1);
      const sets = await first.listReplicaSets(namespace, "app=web");
      expect(sets.ok && sets.value.map((rs) => rs.metadata?.labels?.app)).toContain("web");
      expect(first.freshness(namespace)).toMatchObject({ status: "live" });

      const requests = proxy.stats.forwarded;
      for (let i = 0; i < 50; i++) {
        const v = view();
        const [d, rs] = await Promise.all([
          v.readDeployment(namespace, "web"),
          v.listReplicaSets(namespace, "app=web"),
        ]);
        expect(d.ok && rs.ok).toBe(true);
      }
      expect(proxy.stats.forwarded - requests).toBe(0);

      const shows = async (check: (replicas?: number, image?: string) => boolean) => {
        const changed = Date.now();
        await waitFor(
          async () => {
            const d = await view().readDeployment(namespace, "web");
            return d.ok ? check(d.value.spec?.replicas, d.value.spec?.template?.spec?.containers[0]?.image) : false;
          },
          5000,
          10,
        );
        return Date.now() - changed;
      };
      await apps.patchNamespacedDeployment({ namespace, name: "web", body: { spec: { replicas: 2 } } }, merge);
      expect(await shows((replicas) => replicas === 2)).toBeLessThan(1000);
      await apps.patchNamespacedDeployment(
        {
          namespace,
          name: "web",
          body: {
            spec: {
              template: { spec: { containers: [{ name: "web", image: "registry.example.com/shop/web:1.1.0" }] } },
            },
          },
        },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      );
      expect(await shows((_, image) => image?.endsWith(":1.1.0") === true)).toBeLessThan(1000);

      const deleted = Date.now();
      await apps.deleteNamespacedDeployment({ namespace, name: "web" });
      await waitFor(async () => !(await view().readDeployment(namespace, "web")).ok, 5000, 10);
      expect(Date.now() - deleted).toBeLessThan(1000);
      const gone = await view().readDeployment(namespace, "web");
      expect(gone.ok ? null : gone.error.type).toBe("not_found");

      // No view for IDLE_STOP_MS: the watches stop.
      expect(await registry.sweep(Date.now() + IDLE_STOP_MS + 1)).toBe(2);
      expect(registry.watches.size).toBe(0);
    } finally {
      await registry.stopAll();
      await proxy.stop();
    }
  }, 60_000);

  it("a dropped watch: the view keeps what it saw and says stale since when and why, then is live again", async () => {
    const namespace = `watch-${randomBytes(3).toString("hex")}`;
    await createWorkload(cluster, namespace, "ROLLING", "registry.example.com/shop/web:1.0.0", { replicas: 1 });
    const fwd = await forwarder(cluster.kubeConfig);
    const registry = new WatchRegistry();
    registries.push(registry);
    const gateway = new ClusterGateway(fwd.kubeConfig, { timeoutMs: 2000 });
    const view = () => cachedReader(cluster.name, gateway, registry);
    try {
      expect((await view().readDeployment(namespace, "web")).ok).toBe(true);

      const cutAt = new Date();
      fwd.cut(true);
      await waitFor(async () => registry.watches.values().next().value?.state.status === "stale", 10_000, 20);
      const v = view();
      const started = Date.now();
      const read = await v.readDeployment(namespace, "web");
      expect(Date.now() - started).toBeLessThan(200);
      expect(read.ok && read.value.spec?.replicas).toBe(1);
      const stale = v.freshness(namespace)!;
      expect(stale.status).toBe("stale");
      expect(stale.since.getTime()).toBeGreaterThanOrEqual(cutAt.getTime());
      expect(stale.error).toMatch(/^unavailable: /);

      // Changed while the watch was down: seen once it resumes.
      await apps.patchNamespacedDeployment({ namespace, name: "web", body: { spec: { replicas: 3 } } }, merge);
      fwd.cut(false);
      await waitFor(
        async () => {
          const again = view();
          const d = await again.readDeployment(namespace, "web");
          return again.freshness(namespace)?.status === "live" && d.ok && d.value.spec?.replicas === 3;
        },
        15_000,
        50,
      );
    } finally {
      await registry.stopAll();
      await fwd.close();
    }
  }, 60_000);
});

describe("a cluster that is not there", () => {
  function kubeConfigFor(port: number) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "gone", server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "gone", cluster: "gone", user: "u" }],
      currentContext: "gone",
    });
    return kc;
  }

  it("refused: cluster unreachable with the reason, at once", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const registry = new WatchRegistry();
    try {
      const view = cachedReader("gone", new ClusterGateway(kubeConfigFor(port), { timeoutMs: 2000 }), registry);
      const started = Date.now();
      const read = await view.readService("shop", "web");
      expect(Date.now() - started).toBeLessThan(2000);
      expect(read.ok ? null : read.error).toMatchObject({
        type: "unavailable",
        message: expect.stringMatching(/ECONNREFUSED/),
      });
      expect(view.freshness("shop")).toMatchObject({
        status: "unreachable",
        error: expect.stringMatching(/^unavailable: .*ECONNREFUSED/),
      });
    } finally {
      await registry.stopAll();
    }
  });

  it("silent (accepts connections, never answers): a message after SYNC_WAIT_MS, not a hang", async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const registry = new WatchRegistry();
    try {
      const kc = kubeConfigFor((silent.address() as net.AddressInfo).port);
      const view = cachedReader("silent", new ClusterGateway(kc, { timeoutMs: 10_000 }), registry);
      const started = Date.now();
      const read = await view.readDeployment("shop", "web");
      expect(Date.now() - started).toBeLessThan(SYNC_WAIT_MS + 1000);
      expect(read.ok ? null : read.error.message).toMatch(/has not answered .* within 3 s/);
      expect(view.freshness("shop")?.status).toBe("syncing");
    } finally {
      await registry.stopAll();
      for (const s of held) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
