import { db, type DbTx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { RunState } from "@/lib/deploy/types";

export interface StepRecord {
  event?: { seq: number; step: string; phase: "BEFORE" | "AFTER" | "INFO" | "ERROR"; message: string; request?: unknown; response?: unknown };
  state?: RunState;
  currentStep?: string;
  trafficSwitched?: boolean;
  renewLeaseMs?: number;
}

function jsonText(value: unknown): string | null {
  if (value === undefined) return null;
  if (value && typeof value === "object" && "control" in value) {
    // A person's control request lives in its own column; never copy it into the state.
    const { control: _control, ...rest } = value as RunState;
    value = rest;
  }
  return JSON.stringify(value);
}

/**
 * One round trip for what a step changes: its event, the run's state and step, the traffic
 * switch instant and the lease. Only the lease holder can write; the answer says whether this
 * worker still holds the run and what a person asked of it meanwhile.
 */
export async function recordStep(runId: string, workerId: string, record: StepRecord): Promise<{ owned: boolean; control: "promote" | "abort" | undefined }> {
  const e = record.event;
  const rows = await db.$queryRaw<{ control_request: string | null }[]>`
    with event as (
      insert into run_events (run_id, seq, step, phase, message, request, response)
      select ${runId}, ${e?.seq ?? 0}, ${e?.step ?? ""}, ${e?.phase ?? "INFO"}::"RunEventPhase", ${e?.message ?? ""},
             ${jsonText(e?.request)}::jsonb, ${jsonText(e?.response)}::jsonb
       where ${e !== undefined}
         and exists (select 1 from deployment_runs where id = ${runId} and lease_owner = ${workerId})
      returning 1
    )
    update deployment_runs
       set state = coalesce(${jsonText(record.state)}::jsonb, state),
           current_step = coalesce(${record.currentStep ?? null}, current_step),
           traffic_switched_at = case when ${record.trafficSwitched ?? false} then coalesce(traffic_switched_at, now()) else traffic_switched_at end,
           lease_expires_at = case when ${record.renewLeaseMs ?? 0} > 0 then now() + make_interval(secs => ${(record.renewLeaseMs ?? 0) / 1000}) else lease_expires_at end,
           updated_at = now()
     where id = ${runId} and lease_owner = ${workerId}
     returning control_request`;
  const row = rows[0];
  return { owned: row !== undefined, control: (row?.control_request as "promote" | "abort" | null) ?? undefined };
}

/**
 * Appends an event to a run nobody holds a lease on (a finished deploy being verified). The row
 * lock serialises writers, so two of them cannot take the same sequence number.
 */
export async function appendRunEvent(tx: DbTx, runId: string, event: Omit<NonNullable<StepRecord["event"]>, "seq">): Promise<void> {
  await tx.$queryRaw`select id from deployment_runs where id = ${runId} for update`;
  const seq = ((await tx.runEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
  await tx.runEvent.create({
    data: { runId, seq, step: event.step, phase: event.phase, message: event.message, request: jsonValue(event.request), response: jsonValue(event.response) },
  });
}

function jsonValue(value: unknown): Prisma.InputJsonValue | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}
