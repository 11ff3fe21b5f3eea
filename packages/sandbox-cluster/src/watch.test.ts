/**
 * Watches as client-node's informers use them against kube-apiserver: a list, then
 * `?watch=true&resourceVersion=<the list's>` streaming one JSON event per line, label-selected
 * watches, resuming after the server ended a watch from the last resourceVersion seen, and the
 * request counts a benchmark reads (what viewers cost the API server).
 */
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./index";
import { clientsFor, deploymentBody, eventually, startTestSandbox, type Clients } from "./test-support";

let sandbox: Sandbox;
let c: Clients;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  c = clientsFor(sandbox);
  await c.core.createNamespace({ body: { metadata: { name: "watched" } } });
});
afterAll(() => sandbox.stop());

/** The raw stream: what a client reads off the wire, line by line. */
async function rawWatch(path: string, query: Record<string, string>) {
  const url = new URL(`${sandbox.url}${path}`);
  for (const [k, v] of Object.entries({ watch: "true", ...query })) url.searchParams.set(k, v);
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${sandbox.token}` },
    signal: controller.signal,
  });
  const events: { type: string; object: k8s.KubernetesObject & { code?: number } }[] = [];
  const reader = response.body!.getReader();
  let buffer = "";
  const done = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += new TextDecoder().decode(chunk.value);
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        events.push(JSON.parse(buffer.slice(0, newline)) as (typeof events)[number]);
        buffer = buffer.slice(newline + 1);
      }
    }
  })();
  return { response, events, done, stop: () => controller.abort() };
}

describe("watch", () => {
  it("streams the changes after a list's resourceVersion, one JSON event per line, chunked", async () => {
    await c.apps.createNamespacedDeployment({ namespace: "watched", body: deploymentBody("a", "shop/a:1", 0) });
    const list = await c.apps.listNamespacedDeployment({ namespace: "watched" });
    const rv = list.metadata!.resourceVersion!;
    const watch = await rawWatch("/apis/apps/v1/namespaces/watched/deployments", { resourceVersion: rv });
    expect(watch.response.status).toBe(200);
    expect(watch.response.headers.get("transfer-encoding")).toBe("chunked");
    expect(watch.response.headers.get("content-type")).toBe("application/json");

    await c.apps.patchNamespacedDeployment(
      { namespace: "watched", name: "a", body: { spec: { replicas: 2 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await c.apps.deleteNamespacedDeployment({ namespace: "watched", name: "a" });
    await eventually(() => (watch.events.some((e) => e.type === "DELETED") ? true : undefined));
    watch.stop();
    // Nothing from before the list; the patch (and the controller's status writes) then the delete.
    const mine = watch.events.filter((e) => e.object.metadata?.name === "a");
    expect(mine[0]).toMatchObject({ type: "MODIFIED", object: { kind: "Deployment", apiVersion: "apps/v1" } });
    expect(mine.at(-1)!.type).toBe("DELETED");
    const versions = mine.map((e) => Number(e.object.metadata!.resourceVersion));
    expect(versions.every((v, i) => v > Number(rv) && (i === 0 || v > versions[i - 1]))).toBe(true);
  });

  it("a label-selected watch sees an object leave its selection as DELETED", async () => {
    await c.core.createNamespacedService({
      namespace: "watched",
      body: { metadata: { name: "s", labels: { app: "s" } }, spec: { ports: [{ port: 80 }] } },
    });
    const list = await c.core.listNamespacedService({ namespace: "watched", labelSelector: "app=s" });
    const watch = await rawWatch("/api/v1/namespaces/watched/services", {
      resourceVersion: list.metadata!.resourceVersion!,
      labelSelector: "app=s",
    });
    await c.core.patchNamespacedService(
      { namespace: "watched", name: "s", body: { metadata: { labels: { app: "other" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await eventually(() => (watch.events.length > 0 ? true : undefined));
    watch.stop();
    expect(watch.events.map((e) => [e.type, e.object.metadata?.name])).toEqual([["DELETED", "s"]]);
  });

  it("client-node's informer: lists, then sees adds, updates and deletes; resumes after its watch is dropped", async () => {
    const informer = k8s.makeInformer(kc(), "/apis/apps/v1/namespaces/watched/deployments", () =>
      c.apps.listNamespacedDeployment({ namespace: "watched" }),
    );
    const seen: string[] = [];
    informer.on("add", (d) => seen.push(`add ${d.metadata?.name}`));
    informer.on("delete", (d) => seen.push(`delete ${d.metadata?.name}`));
    let connects = 0;
    informer.on("connect", () => (connects += 1));
    await c.apps.createNamespacedDeployment({ namespace: "watched", body: deploymentBody("b", "shop/b:1", 0) });
    await informer.start();
    try {
      expect(seen).toContain("add b");
      await c.apps.createNamespacedDeployment({ namespace: "watched", body: deploymentBody("c", "shop/c:1", 0) });
      await eventually(() => (informer.get("c", "watched") ? true : undefined), 2000);
      await c.apps.patchNamespacedDeployment(
        { namespace: "watched", name: "c", body: { spec: { replicas: 1 } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
      await eventually(() => (informer.get("c", "watched")?.spec?.replicas === 1 ? true : undefined), 2000);

      // The server ends the stream (as kube-apiserver does at its timeout): the informer
      // reconnects from its last resourceVersion, without a new list, and misses nothing.
      const lists = sandbox.requests().list;
      const watchesBefore = sandbox.requests().watch;
      expect(sandbox.dropWatches()).toBeGreaterThan(0);
      await c.apps.deleteNamespacedDeployment({ namespace: "watched", name: "c" });
      await eventually(() => (seen.includes("delete c") ? true : undefined), 3000);
      expect(sandbox.requests().watch).toBeGreaterThan(watchesBefore);
      expect(sandbox.requests().list).toBe(lists);
      expect(connects).toBeGreaterThanOrEqual(2);
    } finally {
      await informer.stop();
    }
  });

  it("counts API requests by verb (GET /sandbox/requests too)", async () => {
    const before = sandbox.requests();
    await c.apps.listNamespacedDeployment({ namespace: "watched" });
    await c.core.readNamespace({ name: "watched" });
    const watch = await rawWatch("/apis/apps/v1/namespaces/watched/deployments", {});
    watch.stop();
    const after = (await (await fetch(`${sandbox.url}/sandbox/requests`)).json()) as Record<string, number>;
    expect(after.list - (before.list ?? 0)).toBe(1);
    expect(after.get - (before.get ?? 0)).toBe(1);
    expect(after.watch - (before.watch ?? 0)).toBe(1);
  });
});

function kc() {
  return c.kc;
}
