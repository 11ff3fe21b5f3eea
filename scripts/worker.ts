/**
 * The run worker: executes deploy, rollback, promote and abort runs from the PostgreSQL job
 * queue. `npm start` starts it beside the web server; in production it runs as its own
 * Deployment (any number of replicas: a run's lease keeps it on one worker at a time).
 */
import { parseEnv } from "@/lib/env";
import { startRunWorker, surviveJobQueueOutages } from "@/lib/jobs/worker";
import { prometheusAnalysis } from "@/lib/deploy/analysis/prometheus";
import { prometheus } from "@/lib/prometheus/client";
import { log } from "@/lib/log";
import { serveMetrics } from "@/lib/telemetry/server";

const config = parseEnv(process.env);
if (!config.DATABASE_URL) {
  process.stderr.write("The worker needs DATABASE_URL.\n");
  process.exit(1);
}

surviveJobQueueOutages();

// With Prometheus configured, every canary step is judged on measured SLIs; without it the
// steps pass after their pause and say that no analysis is configured.
const metrics = prometheus();
const worker = await startRunWorker({
  connectionString: config.DATABASE_URL,
  concurrency: config.WORKER_CONCURRENCY,
  analysis: metrics ? prometheusAnalysis(metrics, { selectorFor: (t) => t.metricsSelector }) : undefined,
});
log.info({ worker: worker.id }, "run worker started");

// The worker's own metrics (runs finished, step durations, cluster and Prometheus calls), for
// Prometheus to scrape beside the web server's /api/metrics.
// A taken port costs the metrics, not the runs.
const metricsServer = config.METRICS_TOKEN
  ? await serveMetrics({
      host: config.HOST ?? "0.0.0.0",
      port: config.WORKER_METRICS_PORT,
      token: config.METRICS_TOKEN,
    }).catch((error: unknown) => {
      log.error(
        { err: error, port: config.WORKER_METRICS_PORT },
        "worker metrics could not be served (WORKER_METRICS_PORT)",
      );
      return undefined;
    })
  : undefined;
if (metricsServer) log.info({ url: metricsServer.url }, "worker metrics served (bearer METRICS_TOKEN)");
else if (!config.METRICS_TOKEN) log.info("worker metrics are off: set METRICS_TOKEN to serve them");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Runs in flight give their lease back; the next worker resumes them from their current step.
  await worker.stop();
  await metricsServer?.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
// If `npm start` died without stopping us, do not linger as an orphan holding runs.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 2000).unref();
