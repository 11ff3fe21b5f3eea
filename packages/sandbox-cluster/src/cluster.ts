/**
 * The sandbox as `npm start`, scripts and benchmarks use it: state and kubeconfig in one
 * data directory (`<dataDir>/state.json`, `<dataDir>/kubeconfig`), demo workload optional.
 */
import path from "node:path";
import { startSandbox, type Sandbox, type SandboxOptions } from "./index";
import { seedDemoWorkload } from "./demo-seed";

export interface SandboxClusterOptions extends Omit<SandboxOptions, "stateFile" | "kubeconfigDir"> {
  /** Holds state.json and kubeconfig; state survives restarts. */
  dataDir: string;
  /** Create the demo namespaces and workloads (idempotent). */
  seedDemo?: boolean;
}

export type SandboxCluster = Sandbox;

export async function startSandboxCluster(options: SandboxClusterOptions): Promise<SandboxCluster> {
  const { dataDir, seedDemo, ...rest } = options;
  const sandbox = await startSandbox({ ...rest, stateFile: path.join(dataDir, "state.json"), kubeconfigDir: dataDir });
  try {
    if (seedDemo) await seedDemoWorkload(sandbox.kubeConfig());
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
  return sandbox;
}
