/**
 * The run worker: executes deploy, rollback, promote and abort runs from the PostgreSQL job
 * queue. `npm start` starts it beside the web server; in production it runs as its own
 * Deployment (any number of replicas: a run's lease keeps it on one worker at a time).
 */
import { parseEnv } from "@/lib/env";
import { startRunWorker } from "@/lib/jobs/worker";
import { log } from "@/lib/log";

const config = parseEnv(process.env);
if (!config.DATABASE_URL) {
  process.stderr.write("The worker needs DATABASE_URL.\n");
  process.exit(1);
}

const worker = await startRunWorker({ connectionString: config.DATABASE_URL, concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4) });
log.info({ worker: worker.id }, "run worker started");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  // Runs in flight give their lease back; the next worker resumes them from their current step.
  await worker.stop();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
