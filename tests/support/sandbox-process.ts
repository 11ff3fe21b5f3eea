/**
 * The sandbox cluster in a process of its own (see testClusters' `sandboxProcess`): as a real
 * API server is, so the test process and the cluster do not share one CPU. Writes its
 * kubeconfig into SANDBOX_KUBECONFIG_DIR and prints `kubeconfig <path>` once it serves.
 */
import { startSandbox } from "@greenlight/sandbox-cluster";

const kubeconfigDir = process.env.SANDBOX_KUBECONFIG_DIR;
if (!kubeconfigDir) throw new Error("sandbox-process needs SANDBOX_KUBECONFIG_DIR");
const sandbox = await startSandbox({ kubeconfigDir, loadGenerator: false });
process.stdout.write(`kubeconfig ${sandbox.kubeconfigPath}\n`);
const stop = () => void sandbox.stop().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// An orphan (the test process died) does not linger. Its stdin is a pipe from the test process,
// which closes when that process goes (process.ppid is read once at start-up).
process.stdin.on("end", stop);
process.stdin.resume();
