import { db } from "@/lib/db";
import { log } from "@/lib/log";

/**
 * Takes the run's lease when nobody holds it or its holder stopped renewing it, and starts the
 * run if it was queued, in one statement. The lease token is unique per execution, so even the
 * same worker cannot execute one run twice at once.
 */
export async function acquireLease(
  runId: string,
  token: string,
  leaseMs: number,
): Promise<{ serviceId: string; environmentId: string } | null> {
  // ACTIVE_RUN_STATUSES (lib/deploy/run-status.ts) less PAUSED: a paused canary waits for a
  // person, and is set RUNNING again when they promote or abort it.
  const taken = await db.$queryRaw<{ service_id: string; environment_id: string }[]>`
    update deployment_runs
       set lease_owner = ${token},
           lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}),
           status = case when status = 'QUEUED' then 'RUNNING'::"RunStatus" else status end,
           started_at = coalesce(started_at, now()),
           updated_at = now()
     where id = ${runId}
       and status in ('QUEUED', 'RUNNING')
       and (lease_owner is null or lease_expires_at < now())
    returning service_id, environment_id`;
  return taken[0] ? { serviceId: taken[0].service_id, environmentId: taken[0].environment_id } : null;
}

export interface Heartbeat {
  stop(): void;
  lost(): boolean;
}

/** Renews the lease on a timer, independent of how long a step takes. */
export function heartbeat(runId: string, token: string, leaseMs: number): Heartbeat {
  let lost = false;
  const timer = setInterval(
    () => {
      db.$executeRaw`update deployment_runs set lease_expires_at = now() + make_interval(secs => ${leaseMs / 1000}) where id = ${runId} and lease_owner = ${token}`
        .then((renewed) => {
          if (renewed === 0) lost = true;
        })
        .catch((error) => log.warn({ err: error, runId }, "lease renewal failed"));
    },
    Math.max(200, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer), lost: () => lost };
}

/** Hands the run back (a worker shutting down): another worker picks it up at once. */
export async function releaseLease(runId: string, token: string): Promise<void> {
  await db.deploymentRun.updateMany({
    where: { id: runId, leaseOwner: token },
    data: { leaseOwner: null, leaseExpiresAt: null },
  });
}

/**
 * Pauses the run for a person, unless a promote or abort arrived meanwhile (then the caller
 * carries that out instead). One statement, so a request cannot slip in between.
 */
export async function pauseRun(
  runId: string,
  token: string,
  event: { seq: number; step: string; message: string },
  state: unknown,
): Promise<"paused" | { control: "promote" | "abort" | undefined } | "not-mine"> {
  const paused = await db.$executeRaw`
    with event as (
      insert into run_events (run_id, seq, step, phase, message) select ${runId}, ${event.seq}, ${event.step}, 'INFO'::"RunEventPhase", ${event.message}
       where exists (select 1 from deployment_runs where id = ${runId} and lease_owner = ${token} and control_request is null)
    )
    update deployment_runs set status = 'PAUSED'::"RunStatus", state = ${JSON.stringify(state ?? {})}::jsonb, lease_owner = null, lease_expires_at = null, updated_at = now()
     where id = ${runId} and lease_owner = ${token} and control_request is null`;
  if (paused === 1) return "paused";
  const fresh = await db.deploymentRun.findUnique({
    where: { id: runId },
    select: { controlRequest: true, leaseOwner: true },
  });
  if (fresh?.leaseOwner !== token) return "not-mine";
  return { control: (fresh.controlRequest as "promote" | "abort" | null) ?? undefined };
}
