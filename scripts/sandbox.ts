/**
 * `npm run sandbox`: the sandbox cluster alone, with the demo workload, for kubectl and
 * Prometheus. Port from SANDBOX_PORT (default 6550); state and kubeconfig in .data/sandbox/;
 * SANDBOX_LOAD=off leaves out the demo traffic; SANDBOX_LOAD_RPS sets it per Service (default 5).
 */
import path from "node:path";
import { startSandboxCluster } from "@greenlight/sandbox-cluster/cluster";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(process.env.GREENLIGHT_DATA_DIR ?? path.join(root, ".data"), "sandbox");
const port = Number(process.env.SANDBOX_PORT ?? 6550);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SANDBOX_PORT must be a port number, got ${process.env.SANDBOX_PORT}`);
  process.exit(1);
}

// SANDBOX_LOAD=off: no demo traffic (benchmarks measure the API server alone).
const rps = Number(process.env.SANDBOX_LOAD_RPS ?? 5);
if (!(rps > 0 && rps <= 1000)) {
  console.error(
    `SANDBOX_LOAD_RPS must be a number of requests per second (1-1000), got ${process.env.SANDBOX_LOAD_RPS}`,
  );
  process.exit(1);
}
const sandbox = await startSandboxCluster({
  dataDir,
  port,
  seedDemo: true,
  loadGenerator: process.env.SANDBOX_LOAD === "off" ? false : { rps },
});
const relative = path.relative(process.cwd(), sandbox.kubeconfigPath);
const kubeconfig = relative.startsWith("..") ? sandbox.kubeconfigPath : relative;
console.log(
  [
    `sandbox cluster at ${sandbox.apiUrl} (plain HTTP: ${sandbox.url})`,
    `kubeconfig: ${sandbox.kubeconfigPath}`,
    `targets:    ${sandbox.url}/sandbox/targets`,
    `try:        KUBECONFIG=${kubeconfig} kubectl get deploy -A`,
    `prometheus: http_sd_configs: [{ url: "${sandbox.url}/sandbox/targets" }]  (with honor_labels: true)`,
    `faults:     curl -X POST ${sandbox.url}/sandbox/faults -d '{"errorRate":0.2}'`,
    "Ctrl+C stops it; the cluster's objects are kept in " + path.join(dataDir, "state.json"),
  ].join("\n"),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the sandbox`);
  await sandbox.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
