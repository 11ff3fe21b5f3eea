/**
 * A run worker in a process of its own, so a test can kill it the way a node dies: SIGKILL,
 * mid-step, with its lease still held and nothing given back. (Stopping a worker inside the
 * test process is a graceful stop: it hands its runs back, which is not a crash.)
 *
 * Environment: DATABASE_URL; FAULT_WORKER_KUBECONFIGS, `cluster=kubeconfig file` pairs separated
 * by commas (a target's cluster name picks one); FAULT_WORKER_LEASE_MS, FAULT_WORKER_CONCURRENCY.
 * Prints `ready <worker id>` once it runs. Started with startTsxProcess (tsx-process.ts).
 */
import { KubeConfig } from "@kubernetes/client-node";
import { startRunWorker, surviveJobQueueOutages } from "@/lib/jobs/worker";
import { ClusterGateway } from "@/lib/k8s/gateway";

const connectionString = process.env.DATABASE_URL;
const kubeconfigs = process.env.FAULT_WORKER_KUBECONFIGS;
if (!connectionString || !kubeconfigs) throw new Error("fault-worker needs DATABASE_URL and FAULT_WORKER_KUBECONFIGS");

const gateways = new Map(
  kubeconfigs.split(",").map((pair) => {
    const [cluster, file] = pair.split("=", 2);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(file);
    return [cluster, new ClusterGateway(kubeConfig, { timeoutMs: 5000 })] as const;
  }),
);
// As scripts/worker.ts does.
surviveJobQueueOutages();
const worker = await startRunWorker({
  connectionString,
  gateway: (cluster) => {
    const gateway = gateways.get(cluster);
    if (!gateway) throw new Error(`fault-worker has no kubeconfig for cluster ${cluster}`);
    return gateway;
  },
  leaseMs: Number(process.env.FAULT_WORKER_LEASE_MS ?? 1500),
  sweepIntervalMs: 500,
  concurrency: Number(process.env.FAULT_WORKER_CONCURRENCY ?? 4),
});
process.stdout.write(`ready ${worker.id}\n`);
// An orphan (the test process died) must not go on running deploys. Its stdin is a pipe from the
// test process, which closes when that process goes (process.ppid is read once at start-up).
process.stdin.on("end", () => process.exit(1));
process.stdin.resume();
