import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/lib/db/embedded-postgres";
import { findPrometheus, startLocalPrometheus, type LocalPrometheus } from "@/lib/prometheus/local-server";
import { startSandbox, type Sandbox } from "@greenlight/sandbox-cluster";
import { seedDemoWorkload } from "@greenlight/sandbox-cluster/demo-seed";

export interface LiveMetrics {
  sandbox: Sandbox;
  prometheus: LocalPrometheus;
  stop(): Promise<void>;
}

/**
 * The sandbox with its demo workload under 40 requests/s per Service, and a real Prometheus
 * (Debian's) scraping its pods every 2 s: what the SLI tests judge from. No fake Prometheus API.
 */
export async function startLiveMetrics(name: string): Promise<LiveMetrics> {
  if (!findPrometheus()) throw new Error("Prometheus is not installed (npm test installs Debian's prometheus package)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `greenlight-${name}-`));
  const sandbox = await startSandbox({ kubeconfigDir: dir, loadGenerator: { rps: 40 } });
  await seedDemoWorkload(sandbox.kubeConfig());
  fs.chmodSync(dir, 0o755);
  const prometheus = await startLocalPrometheus({
    dataDir: path.join(dir, "prometheus"),
    port: await freePort(),
    targetsUrl: `${sandbox.url}/sandbox/targets`,
    scrapeIntervalSeconds: 2,
  });
  return {
    sandbox,
    prometheus,
    async stop() {
      await prometheus.stop();
      await sandbox.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
