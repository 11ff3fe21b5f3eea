import { KubeConfig } from "@kubernetes/client-node";

export const IN_CLUSTER = "in-cluster";

const configs = new Map<string, KubeConfig>();

/**
 * One KubeConfig per configured cluster. A target names its cluster: "in-cluster" for the pod's
 * service account, otherwise a context of the kubeconfig in KUBECONFIG (or ~/.kube/config).
 */
export function kubeConfigFor(cluster: string): KubeConfig {
  const cached = configs.get(cluster);
  if (cached) return cached;
  const kc = new KubeConfig();
  if (cluster === IN_CLUSTER) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
    if (!kc.getContextObject(cluster)) {
      throw new Error(
        `No context named "${cluster}" in the kubeconfig (${process.env.KUBECONFIG ?? "~/.kube/config"}).`,
      );
    }
    kc.setCurrentContext(cluster);
  }
  configs.set(cluster, kc);
  return kc;
}

/** Tests point the app at another kubeconfig; drop what was loaded from the previous one. */
export function forgetClusters(): void {
  configs.clear();
}
