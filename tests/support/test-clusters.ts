import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { startSandbox } from "@/lib/sandbox";
import { realClusterFromEnv, type TestCluster } from "@/tests/support/workloads";

/**
 * The clusters the deploy engine is tested on: the sandbox, always, and the real kube-apiserver
 * from ../shared/k8s-test-cluster when K8S_TEST_KUBECONFIG points at it (`npm test` starts it;
 * REQUIRE_REAL_CLUSTER=1 makes its absence an error rather than a skip).
 */
export async function testClusters(): Promise<TestCluster[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-sandbox-"));
  const sandbox = await startSandbox({ kubeconfigDir: dir, loadGenerator: false });
  afterAll(async () => {
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const clusters: TestCluster[] = [{ name: "sandbox", kubeConfig: sandbox.kubeConfig(), faults: sandbox.faults }];
  const real = realClusterFromEnv();
  if (real) clusters.push(real);
  else if (process.env.REQUIRE_REAL_CLUSTER === "1") throw new Error("REQUIRE_REAL_CLUSTER=1 but K8S_TEST_KUBECONFIG is not set");
  return clusters;
}
