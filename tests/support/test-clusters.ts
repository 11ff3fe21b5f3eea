import { realClusterFromEnv, type TestCluster } from "@/tests/support/workloads";

/**
 * The clusters the deploy engine is tested on: the real kube-apiserver from
 * ../shared/k8s-test-cluster when K8S_TEST_KUBECONFIG points at it (npm test starts it when it
 * can), and the sandbox, always.
 */
export async function testClusters(): Promise<TestCluster[]> {
  const clusters: TestCluster[] = [];
  const real = realClusterFromEnv();
  if (real) clusters.push(real);
  if (process.env.REQUIRE_REAL_CLUSTER === "1" && !real) throw new Error("REQUIRE_REAL_CLUSTER=1 but K8S_TEST_KUBECONFIG is not set");
  return clusters;
}
