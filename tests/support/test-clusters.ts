import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll } from "vitest";
import { startSandbox } from "@greenlight/sandbox-cluster";
import { startTsxProcess } from "@/tests/support/tsx-process";
import { realClusterFromEnv, type TestCluster } from "@/tests/support/workloads";

/**
 * The clusters the deploy engine is tested on: the sandbox, always, and the real kube-apiserver
 * from ../shared/k8s-test-cluster when K8S_TEST_KUBECONFIG points at it (`npm test` starts it;
 * REQUIRE_REAL_CLUSTER=1 makes its absence an error rather than a skip).
 */
export async function testClusters(options: { sandboxProcess?: boolean } = {}): Promise<TestCluster[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-sandbox-"));
  const clusters: TestCluster[] = [
    options.sandboxProcess ? await sandboxInItsOwnProcess(dir) : await sandboxInThisProcess(dir),
  ];
  const real = realClusterFromEnv();
  if (real) clusters.push(real);
  else if (process.env.REQUIRE_REAL_CLUSTER === "1")
    throw new Error("REQUIRE_REAL_CLUSTER=1 but K8S_TEST_KUBECONFIG is not set");
  return clusters;
}

async function sandboxInThisProcess(dir: string): Promise<TestCluster> {
  const sandbox = await startSandbox({ kubeconfigDir: dir, loadGenerator: false });
  afterAll(async () => {
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { name: "sandbox", kubeConfig: sandbox.kubeConfig(), faults: sandbox.faults };
}

/**
 * The sandbox as its own process, as a real API server is: a suite that loads the cluster
 * heavily (the fault suite) would otherwise have the cluster's controllers and its own work
 * share one CPU. No `faults` then: that suite injects them with its proxy.
 */
async function sandboxInItsOwnProcess(dir: string): Promise<TestCluster> {
  const child = await startTsxProcess(
    "sandbox",
    "tests/support/sandbox-process.ts",
    { SANDBOX_KUBECONFIG_DIR: dir, LOG_LEVEL: "warn" },
    /^kubeconfig \S+/m,
  );
  afterAll(async () => {
    await child.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(/^kubeconfig (\S+)/m.exec(child.output)![1]);
  return { name: "sandbox", kubeConfig };
}
