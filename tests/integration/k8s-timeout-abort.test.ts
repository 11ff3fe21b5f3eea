import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppsV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoWorkload, startSandbox, type Sandbox } from "@greenlight/sandbox-cluster";
import { ClusterGateway } from "@/lib/k8s/gateway";

const NAMESPACE = "shop-staging";
const NAME = "catalog";
const DELAY_MS = 1500;
const TIMEOUT_MS = 300;

let dir: string;
let sandbox: Sandbox;
let apps: AppsV1Api;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-k8s-abort-"));
  sandbox = await startSandbox({ kubeconfigDir: dir, loadGenerator: false });
  await seedDemoWorkload(sandbox.kubeConfig());
  apps = sandbox.kubeConfig().makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await sandbox?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const replicas = async () => (await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME })).spec?.replicas;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a cluster call past its timeout", () => {
  it("is aborted on the wire: the cluster never applies a write the run gave up on", async () => {
    const before = await replicas();
    const gateway = new ClusterGateway(sandbox.kubeConfig(), { timeoutMs: TIMEOUT_MS });
    // Only the Deployment's own path is held back, so the checks below are not. The sandbox reads
    // the body after the delay: an aborted request's socket is closed by then, so (as a real API
    // server whose request context is cancelled) it never acts on it. A request only abandoned by
    // the caller stays open and lands.
    sandbox.faults.set({ latencyMs: DELAY_MS, paths: new RegExp(`/deployments/${NAME}$`) });
    const delayed = sandbox.faults.injected.delayed;
    const started = Date.now();
    const result = await gateway.patchDeployment(NAMESPACE, NAME, "merge", { spec: { replicas: 7 } });
    const waited = Date.now() - started;
    expect(result.ok ? "applied" : result.error.type).toBe("timeout");
    expect(waited).toBeLessThan(DELAY_MS);
    expect(sandbox.faults.injected.delayed).toBe(delayed + 1);
    // Past the moment the held-back request would have been acted on.
    await sleep(DELAY_MS + 700);
    sandbox.faults.clear();
    expect(await replicas()).toBe(before);
  });

  it("with time enough, the same write under the same delay lands (the delay itself loses nothing)", async () => {
    const gateway = new ClusterGateway(sandbox.kubeConfig(), { timeoutMs: DELAY_MS * 4 });
    sandbox.faults.set({ latencyMs: DELAY_MS, paths: new RegExp(`/deployments/${NAME}$`) });
    const result = await gateway.patchDeployment(NAMESPACE, NAME, "merge", { spec: { replicas: 7 } });
    sandbox.faults.clear();
    expect(result.ok).toBe(true);
    expect(await replicas()).toBe(7);
  });
});
