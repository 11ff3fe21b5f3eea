import "server-only";
import { Gauge } from "prom-client";
import { getDb } from "@/lib/db";
import { JOBS } from "@/lib/jobs/registry";
import { log } from "@/lib/log";
import { telemetry } from "@/lib/telemetry/metrics";

/**
 * Gauges read from PostgreSQL at scrape time: the job queue and the runs, which every web and
 * worker process shares. They describe the database, not this process, so every replica reports
 * the same values: aggregate them with max(), not sum().
 */
const QUEUE_STATES = ["ready", "scheduled", "running", "failed"] as const;
const ACTIVE_STATUSES = ["QUEUED", "RUNNING", "PAUSED"] as const;

export interface QueueRow {
  task: string;
  ready: bigint;
  scheduled: bigint;
  running: bigint;
  failed: bigint;
  oldest_ready_seconds: number | null;
}

export interface RunRow {
  kind: string;
  strategy: string;
  status: string;
  runs: bigint;
  oldest_seconds: number | null;
  past_deadline: bigint;
}

export async function readQueue(): Promise<QueueRow[]> {
  // graphile-worker's own table: a job is ready when unlocked, not out of attempts and due;
  // scheduled when due later (a retry's back-off, a verification check); failed once out of attempts.
  return getDb().$queryRaw<QueueRow[]>`
    select t.identifier as task,
           count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()) as ready,
           count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > now()) as scheduled,
           count(*) filter (where j.locked_at is not null) as running,
           count(*) filter (where j.locked_at is null and j.attempts >= j.max_attempts) as failed,
           extract(epoch from now() - min(j.run_at) filter (
             where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now()))::float8 as oldest_ready_seconds
      from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
     group by t.identifier`;
}

export async function readRuns(): Promise<RunRow[]> {
  return getDb().$queryRaw<RunRow[]>`
    select kind::text, strategy::text, status::text, count(*) as runs,
           extract(epoch from now() - min(coalesce(started_at, created_at)))::float8 as oldest_seconds,
           count(*) filter (where deadline_at < now()) as past_deadline
      from deployment_runs
     where dry_run = false
     group by kind, strategy, status`;
}

/** Registers the database gauges in this process's registry, once. */
export function registerDatabaseMetrics(): void {
  const { registry } = telemetry();
  if (registry.getSingleMetric("greenlight_job_queue_jobs")) return;

  // One read per scrape, shared by the gauges: prom-client collects them all at once.
  let pending: { at: number; result: Promise<Snapshot | null> } | undefined;
  const snapshot = () => {
    if (!pending || Date.now() - pending.at > 1000) {
      pending = {
        at: Date.now(),
        result: Promise.all([readQueue(), readRuns()]).then(
          ([queue, runRows]) => summarize(queue, runRows),
          (error: unknown) => {
            log.warn({ err: error }, "metrics: could not read the job queue and runs");
            return null;
          },
        ),
      };
    }
    return pending.result;
  };
  /** A gauge filled from the snapshot at each scrape (empty when the database could not be read). */
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    write: (gauge: Gauge<L>, data: Snapshot) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const data = await snapshot();
        this.reset();
        if (data) write(this, data);
      },
    });

  gauge(
    "greenlight_job_queue_jobs",
    "Jobs in the queue (graphile-worker), by task and state: ready (due, waiting for a worker), scheduled (due later), running, failed (out of attempts).",
    ["task", "state"],
    (g, data) => {
      for (const row of data.queue) for (const state of QUEUE_STATES) g.set({ task: row.task, state }, row[state]);
    },
  );
  gauge(
    "greenlight_job_queue_oldest_ready_seconds",
    "How long the oldest due job of each task has waited for a worker (0 when none waits).",
    ["task"],
    (g, data) => {
      for (const row of data.queue) g.set({ task: row.task }, row.oldestReadySeconds);
    },
  );
  gauge(
    "greenlight_runs",
    "Runs in the database (dry runs aside), by kind, strategy and status.",
    ["kind", "strategy", "status"],
    (g, data) => {
      for (const row of data.runs) g.set({ kind: row.kind, strategy: row.strategy, status: row.status }, row.runs);
    },
  );
  gauge(
    "greenlight_run_oldest_active_seconds",
    "Age of the oldest run still queued, running or paused (since it started, or was queued), by kind and status; 0 when none.",
    ["kind", "status"],
    (g, data) => {
      for (const [key, seconds] of data.oldestActive) {
        const [kind, status] = key.split(" ");
        g.set({ kind, status }, seconds);
      }
    },
  );
  gauge(
    "greenlight_runs_past_deadline",
    "Runs still queued, running or paused after their deadline: the worker should have ended them.",
    [],
    (g, data) => g.set(data.pastDeadline),
  );
  new Gauge({
    name: "greenlight_database_metrics_up",
    help: "1 when the queue and run gauges could be read from the database at this scrape, 0 when not.",
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
}

interface Snapshot {
  queue: {
    task: string;
    ready: number;
    scheduled: number;
    running: number;
    failed: number;
    oldestReadySeconds: number;
  }[];
  runs: { kind: string; strategy: string; status: string; runs: number }[];
  /** "KIND STATUS" → seconds */
  oldestActive: Map<string, number>;
  pastDeadline: number;
}

/** The rows as gauge values; every task and active kind/status has a series, 0 when empty. */
export function summarize(queue: QueueRow[], runRows: RunRow[]): Snapshot {
  const byTask = new Map(queue.map((r) => [r.task, r]));
  const tasks = [...new Set([...JOBS.map((j) => j.name), ...byTask.keys()])];
  const oldestActive = new Map<string, number>();
  for (const kind of ["DEPLOY", "ROLLBACK"])
    for (const status of ACTIVE_STATUSES) oldestActive.set(`${kind} ${status}`, 0);
  let pastDeadline = 0;
  for (const row of runRows) {
    if (!(ACTIVE_STATUSES as readonly string[]).includes(row.status)) continue;
    const key = `${row.kind} ${row.status}`;
    oldestActive.set(key, Math.max(oldestActive.get(key) ?? 0, row.oldest_seconds ?? 0));
    pastDeadline += Number(row.past_deadline);
  }
  return {
    queue: tasks.map((task) => {
      const row = byTask.get(task);
      return {
        task,
        ready: Number(row?.ready ?? 0),
        scheduled: Number(row?.scheduled ?? 0),
        running: Number(row?.running ?? 0),
        failed: Number(row?.failed ?? 0),
        oldestReadySeconds: row?.oldest_ready_seconds ?? 0,
      };
    }),
    runs: runRows.map((r) => ({ kind: r.kind, strategy: r.strategy, status: r.status, runs: Number(r.runs) })),
    oldestActive,
    pastDeadline,
  };
}
