import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./index";
import {
  apiError,
  clientsFor,
  deploymentBody,
  eventually,
  startTestSandbox,
  waitForRollout,
  type Clients,
} from "./test-support";

const ns = "team-a";
let sandbox: Sandbox;
let c: Clients;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  c = clientsFor(sandbox);
  await c.core.createNamespace({ body: { metadata: { name: ns } } });
});

afterAll(async () => {
  await sandbox?.stop();
});

const strategic = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
const jsonPatch = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch);

describe("authentication and discovery", () => {
  it("answers 401 with a Status without the bearer token", async () => {
    const res = await fetch(`${sandbox.url}/api/v1/namespaces`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "Unauthorized",
      code: 401,
    });
    const ok = await fetch(`${sandbox.url}/api/v1/namespaces`, {
      headers: { authorization: `Bearer ${sandbox.token}` },
    });
    expect(ok.status).toBe(200);
  });

  it("serves discovery documents", async () => {
    const get = async (p: string) =>
      (await fetch(`${sandbox.url}${p}`, { headers: { authorization: `Bearer ${sandbox.token}` } })).json();
    expect(await get("/version")).toMatchObject({ major: "1", minor: "20" });
    expect(await get("/apis")).toMatchObject({ kind: "APIGroupList" });
    const apps = (await get("/apis/apps/v1")) as { resources: { name: string }[] };
    expect(apps.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(["deployments", "deployments/scale", "replicasets"]),
    );
  });
});

describe("deployments and the controller", () => {
  it("rolls out a new Deployment, then a new image as revision 2 with the old ReplicaSet scaled to 0", async () => {
    const created = await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("web", "registry.example/web:1.0.0", 2),
    });
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec?.strategy?.rollingUpdate?.maxSurge).toBe("25%");
    const done = await waitForRollout(c.kc, ns, "web");
    expect(done.status).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(done.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    const progressing = done.status?.conditions?.find((x) => x.type === "Progressing");
    expect(progressing?.reason).toBe("NewReplicaSetAvailable");
    expect(done.status?.conditions?.find((x) => x.type === "Available")?.status).toBe("True");

    const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" });
    expect(pods.items).toHaveLength(2);
    const hash = pods.items[0].metadata?.labels?.["pod-template-hash"];
    expect(pods.items[0].metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ReplicaSet",
      name: `web-${hash}`,
      controller: true,
    });
    expect(pods.items.every((p) => p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"))).toBe(
      true,
    );

    await c.apps.patchNamespacedDeployment(
      {
        name: "web",
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: "web", image: "registry.example/web:1.1.0" }] } } } },
      },
      strategic,
    );
    const rolled = await waitForRollout(c.kc, ns, "web");
    expect(rolled.metadata?.generation).toBe(2);
    expect(rolled.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    const rsList = await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=web" });
    const byRevision = new Map(
      rsList.items.map((rs) => [rs.metadata?.annotations?.["deployment.kubernetes.io/revision"], rs]),
    );
    expect(byRevision.get("1")?.spec?.replicas).toBe(0);
    expect(byRevision.get("2")?.spec?.replicas).toBe(2);
    expect(byRevision.get("2")?.spec?.template?.spec?.containers[0].image).toBe("registry.example/web:1.1.0");
    expect(byRevision.get("2")?.spec?.selector?.matchLabels?.["pod-template-hash"]).toBeTruthy();
    // The ports of the container survived the strategic merge (merged by name, not replaced).
    expect(rolled.spec?.template?.spec?.containers[0].ports?.[0].containerPort).toBe(8080);
  });

  it("re-uses the old ReplicaSet with a new revision when the template goes back", async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("undo", "registry.example/undo:1", 1),
    });
    await waitForRollout(c.kc, ns, "undo");
    const setImage = (image: string) =>
      c.apps.patchNamespacedDeployment(
        {
          name: "undo",
          namespace: ns,
          body: { spec: { template: { spec: { containers: [{ name: "undo", image }] } } } },
        },
        strategic,
      );
    await setImage("registry.example/undo:2");
    await waitForRollout(c.kc, ns, "undo");
    await setImage("registry.example/undo:1");
    const back = await waitForRollout(c.kc, ns, "undo");
    expect(back.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    const rsList = await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=undo" });
    expect(rsList.items).toHaveLength(2);
    const first = rsList.items.find((rs) => rs.spec?.template?.spec?.containers[0].image === "registry.example/undo:1");
    expect(first?.metadata?.annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "3",
      "deployment.kubernetes.io/revision-history": "1",
    });
  });

  it("reports ProgressDeadlineExceeded when pods never become ready", async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("stuck", "registry.example/stuck:1.0.0-crashloop", 1, { progressDeadlineSeconds: 1 }),
    });
    await expect(waitForRollout(c.kc, ns, "stuck", 5000)).rejects.toThrow(/progress deadline/);
    const d = await c.apps.readNamespacedDeployment({ name: "stuck", namespace: ns });
    expect(d.status?.conditions?.find((x) => x.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
    });
    expect(d.status?.unavailableReplicas).toBe(1);
  });

  it("scales up and down, and the Recreate strategy replaces all pods at once", async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("scaled", "registry.example/s:1", 1, { strategy: { type: "Recreate" } }),
    });
    await waitForRollout(c.kc, ns, "scaled");
    await c.apps.patchNamespacedDeployment({ name: "scaled", namespace: ns, body: { spec: { replicas: 3 } } }, merge);
    const up = await waitForRollout(c.kc, ns, "scaled");
    expect(up.status?.availableReplicas).toBe(3);
    await c.apps.patchNamespacedDeployment(
      {
        name: "scaled",
        namespace: ns,
        body: {
          spec: {
            replicas: 1,
            template: { spec: { containers: [{ name: "scaled", image: "registry.example/s:2" }] } },
          },
        },
      },
      strategic,
    );
    const down = await waitForRollout(c.kc, ns, "scaled");
    expect(down.status).toMatchObject({ replicas: 1, availableReplicas: 1 });
    const pods = await eventually(async () => {
      const list = await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=scaled" });
      return list.items.length === 1 ? list.items : undefined;
    });
    expect(pods[0].spec?.containers[0].image).toBe("registry.example/s:2");
  });
});

describe("API semantics", () => {
  it("answers a stale resourceVersion with 409 Conflict and a Status body", async () => {
    const cm = await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("conflict", "registry.example/c:1", 0),
    });
    const stale = structuredClone(cm);
    await c.apps.patchNamespacedDeployment(
      { name: "conflict", namespace: ns, body: { metadata: { labels: { touched: "yes" } } } },
      merge,
    );
    const put = await apiError(c.apps.replaceNamespacedDeployment({ name: "conflict", namespace: ns, body: stale }));
    expect(put.code).toBe(409);
    expect(put.status).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Conflict",
      code: 409,
      details: { name: "conflict", group: "apps", kind: "deployments" },
    });
    expect(put.status.message).toContain("the object has been modified");
    const patch = await apiError(
      c.apps.patchNamespacedDeployment(
        {
          name: "conflict",
          namespace: ns,
          body: { metadata: { resourceVersion: stale.metadata?.resourceVersion, labels: { x: "y" } } },
        },
        merge,
      ),
    );
    expect(patch.code).toBe(409);
    const again = await apiError(
      c.apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody("conflict", "registry.example/c:1", 0) }),
    );
    expect(again.status).toMatchObject({
      reason: "AlreadyExists",
      code: 409,
      message: 'deployments.apps "conflict" already exists',
    });
  });

  it("answers 404 with a NotFound Status", async () => {
    const missing = await apiError(c.apps.readNamespacedDeployment({ name: "nope", namespace: ns }));
    expect(missing.code).toBe(404);
    expect(missing.status).toMatchObject({
      kind: "Status",
      reason: "NotFound",
      message: 'deployments.apps "nope" not found',
      details: { name: "nope", group: "apps", kind: "deployments" },
    });
    const pod = await apiError(c.core.readNamespacedPod({ name: "nope", namespace: ns }));
    expect(pod.status.message).toBe('pods "nope" not found');
  });

  it("answers 422 Invalid for a selector that does not match the template, no containers, or a bad name", async () => {
    const mismatch = deploymentBody("bad-selector", "registry.example/b:1");
    mismatch.spec!.selector = { matchLabels: { app: "other" } };
    const a = await apiError(c.apps.createNamespacedDeployment({ namespace: ns, body: mismatch }));
    expect(a.code).toBe(422);
    expect(a.status).toMatchObject({
      reason: "Invalid",
      details: { name: "bad-selector", group: "apps", kind: "Deployment" },
    });
    expect(a.status.message).toContain("`selector` does not match template `labels`");
    expect(a.status.details?.causes?.[0]).toMatchObject({
      reason: "FieldValueInvalid",
      field: "spec.template.metadata.labels",
    });

    const empty = deploymentBody("no-containers", "x");
    empty.spec!.template.spec!.containers = [];
    const b = await apiError(c.apps.createNamespacedDeployment({ namespace: ns, body: empty }));
    expect(b.status.message).toBe(
      'Deployment.apps "no-containers" is invalid: spec.template.spec.containers: Required value',
    );

    const badName = await apiError(
      c.core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name: "Bad_Name" }, spec: { ports: [{ port: 80 }] } },
      }),
    );
    expect(badName.code).toBe(422);
    expect(badName.status.details?.causes?.[0].field).toBe("metadata.name");
  });

  it("applies merge, strategic merge and JSON patches (with test)", async () => {
    const body = deploymentBody("patched", "registry.example/p:1", 0);
    body.spec!.template.spec!.containers.push({ name: "sidecar", image: "registry.example/sidecar:1" });
    await c.apps.createNamespacedDeployment({ namespace: ns, body });

    // Merge patch: lists are replaced wholesale.
    const merged = await c.apps.patchNamespacedDeployment(
      { name: "patched", namespace: ns, body: { metadata: { labels: { tier: "web" } }, spec: { replicas: 1 } } },
      merge,
    );
    expect(merged.metadata?.labels).toEqual({ app: "patched", tier: "web" });
    expect(merged.spec?.replicas).toBe(1);

    // Strategic merge: containers merge by name; the sidecar stays.
    const smp = await c.apps.patchNamespacedDeployment(
      {
        name: "patched",
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: "patched", image: "registry.example/p:2" }] } } } },
      },
      strategic,
    );
    expect(smp.spec?.template?.spec?.containers.map((x) => `${x.name}=${x.image}`)).toEqual([
      "patched=registry.example/p:2",
      "sidecar=registry.example/sidecar:1",
    ]);

    // JSON patch with a passing test op.
    const jp = await c.apps.patchNamespacedDeployment(
      {
        name: "patched",
        namespace: ns,
        body: [
          { op: "test", path: "/spec/template/spec/containers/1/name", value: "sidecar" },
          { op: "remove", path: "/spec/template/spec/containers/1" },
          { op: "replace", path: "/spec/replicas", value: 0 },
          { op: "add", path: "/metadata/labels/patched-by", value: "json" },
        ],
      },
      jsonPatch,
    );
    expect(jp.spec?.template?.spec?.containers).toHaveLength(1);
    expect(jp.spec?.replicas).toBe(0);
    expect(jp.metadata?.labels?.["patched-by"]).toBe("json");
    // A failing test op rejects the whole patch and changes nothing.
    const failed = await apiError(
      c.apps.patchNamespacedDeployment(
        {
          name: "patched",
          namespace: ns,
          body: [
            { op: "replace", path: "/spec/replicas", value: 5 },
            { op: "test", path: "/spec/replicas", value: 1 },
          ],
        },
        jsonPatch,
      ),
    );
    expect(failed.code).toBe(422);
    expect((await c.apps.readNamespacedDeployment({ name: "patched", namespace: ns })).spec?.replicas).toBe(0);
  });

  it("dry-runs writes without storing or bumping anything", async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody("dry", "registry.example/d:1", 0) });
    // Let the controller finish its own writes (ReplicaSet, status) first.
    const before = await waitForRollout(c.kc, ns, "dry");
    const rv = before.metadata?.resourceVersion;
    const patched = await c.apps.patchNamespacedDeployment(
      {
        name: "dry",
        namespace: ns,
        dryRun: "All",
        body: { spec: { template: { spec: { containers: [{ name: "dry", image: "registry.example/d:2" }] } } } },
      },
      strategic,
    );
    expect(patched.spec?.template?.spec?.containers[0].image).toBe("registry.example/d:2");
    expect(patched.metadata?.generation).toBe(2);
    const created = await c.apps.createNamespacedDeployment({
      namespace: ns,
      dryRun: "All",
      body: deploymentBody("dry-new", "registry.example/d:1"),
    });
    expect(created.metadata?.name).toBe("dry-new");
    await c.apps.deleteNamespacedDeployment({ name: "dry", namespace: ns, dryRun: "All" });
    const invalid = deploymentBody("dry-bad", "x");
    invalid.spec!.template.spec!.containers = [];
    expect(
      (await apiError(c.apps.createNamespacedDeployment({ namespace: ns, dryRun: "All", body: invalid }))).code,
    ).toBe(422);

    const after = await c.apps.readNamespacedDeployment({ name: "dry", namespace: ns });
    expect(after.metadata?.resourceVersion).toBe(rv);
    expect(after.metadata?.generation).toBe(1);
    expect(after.spec?.template?.spec?.containers[0].image).toBe("registry.example/d:1");
    expect((await apiError(c.apps.readNamespacedDeployment({ name: "dry-new", namespace: ns }))).code).toBe(404);
  });

  it("lists with label selectors (=, ==, !=, in, notin, exists, !) and field selectors", async () => {
    const mk = (name: string, labels: Record<string, string>) =>
      c.core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name, labels }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
      });
    await mk("sel-a", { group: "sel", tier: "front", env: "prod" });
    await mk("sel-b", { group: "sel", tier: "back", env: "staging" });
    await mk("sel-c", { group: "sel", tier: "back" });
    const names = async (labelSelector: string, fieldSelector?: string) =>
      (await c.core.listNamespacedService({ namespace: ns, labelSelector, fieldSelector })).items
        .map((s) => s.metadata?.name)
        .sort();
    expect(await names("group=sel,tier=back")).toEqual(["sel-b", "sel-c"]);
    expect(await names("group==sel,tier!=back")).toEqual(["sel-a"]);
    expect(await names("group=sel,env in (prod, staging)")).toEqual(["sel-a", "sel-b"]);
    expect(await names("group=sel,env notin (prod)")).toEqual(["sel-b", "sel-c"]);
    expect(await names("group=sel,env")).toEqual(["sel-a", "sel-b"]);
    expect(await names("group=sel,!env")).toEqual(["sel-c"]);
    expect(await names("group=sel", "metadata.name=sel-b")).toEqual(["sel-b"]);
    const all = await c.core.listServiceForAllNamespaces({ labelSelector: "group=sel" });
    expect(all.items).toHaveLength(3);
  });

  it("injects faults: errors, conflicts and latency, also over HTTP", async () => {
    sandbox.faults.set({ errorRate: 1, paths: /\/deployments/ });
    const failed = await apiError(c.apps.listNamespacedDeployment({ namespace: ns }));
    expect([500, 503]).toContain(failed.code);
    expect(failed.status.kind).toBe("Status");
    // Paths outside the RegExp are untouched.
    await c.core.listNamespacedService({ namespace: ns });

    sandbox.faults.set({ conflictRate: 1 });
    const conflict = await apiError(
      c.apps.patchNamespacedDeployment({ name: "dry", namespace: ns, body: { spec: { replicas: 0 } } }, merge),
    );
    expect(conflict.code).toBe(409);
    await c.apps.readNamespacedDeployment({ name: "dry", namespace: ns });

    const res = await fetch(`${sandbox.url}/sandbox/faults`, {
      method: "POST",
      body: JSON.stringify({ latencyMs: 150 }),
    });
    expect(await res.json()).toEqual({ latencyMs: 150 });
    const started = Date.now();
    await c.apps.readNamespacedDeployment({ name: "dry", namespace: ns });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await fetch(`${sandbox.url}/sandbox/faults`, { method: "DELETE" });
    expect(sandbox.faults.get()).toEqual({});
  });

  it("deleting a Deployment removes its ReplicaSets and pods", async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("doomed", "registry.example/x:1", 1),
    });
    await waitForRollout(c.kc, ns, "doomed");
    const status = await c.apps.deleteNamespacedDeployment({ name: "doomed", namespace: ns });
    expect(status).toMatchObject({ status: "Success" });
    await eventually(async () => {
      const [rs, pods] = await Promise.all([
        c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=doomed" }),
        c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=doomed" }),
      ]);
      return rs.items.length + pods.items.length === 0 ? true : undefined;
    });
  });
});

describe("persistence", () => {
  it("keeps objects across a restart and brings pods back Ready", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sandbox-state-"));
    const stateFile = path.join(dir, "state.json");
    try {
      const first = await startTestSandbox({ stateFile });
      const fc = clientsFor(first);
      await fc.core.createNamespace({ body: { metadata: { name: "keep" } } });
      await fc.apps.createNamespacedDeployment({
        namespace: "keep",
        body: deploymentBody("kept", "registry.example/k:1", 2),
      });
      const before = await waitForRollout(fc.kc, "keep", "kept");
      await first.stop();

      const second = await startTestSandbox({ stateFile });
      try {
        const sc = clientsFor(second);
        const after = await sc.apps.readNamespacedDeployment({ name: "kept", namespace: "keep" });
        expect(after.metadata?.uid).toBe(before.metadata?.uid);
        expect(Number(after.metadata?.resourceVersion)).toBeGreaterThanOrEqual(
          Number(before.metadata?.resourceVersion),
        );
        await waitForRollout(sc.kc, "keep", "kept");
        const targets = await eventually(() =>
          second.targets().filter((t) => t.labels.namespace === "keep").length === 2 ? second.targets() : undefined,
        );
        const res = await fetch(`http://${targets.find((t) => t.labels.namespace === "keep")?.targets[0]}/`);
        expect(res.status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 15_000);
});
