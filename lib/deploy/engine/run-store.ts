import { db, type DbTx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { RunState } from "@/lib/deploy/types";
import { redactSecrets, redactString } from "@/lib/redact/secrets";

export interface StepEvent {
  seq: number;
  step: string;
  phase: "BEFORE" | "AFTER" | "INFO" | "ERROR";
  message: string;
  request?: unknown;
  response?: unknown;
}

export interface StepRecord {
  /** Written in order, in the same statement as the run's changes. */
  events?: StepEvent[];
  state?: RunState;
  currentStep?: string;
  trafficSwitched?: boolean;
  renewLeaseMs?: number;
  /** The run's image and rollback-target columns, when they changed. */
  summary?: { fromImage: string | null; toImage: string | null; rollbackTarget: unknown };
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
 * One round trip for what a step changes: its events, the run's state and step, the traffic
 * switch instant and the lease. Only the lease holder can write; the answer says whether this
 * worker still holds the run and what a person asked of it meanwhile.
 */
export async function recordStep(
  runId: string,
  workerId: string,
  record: StepRecord,
): Promise<{ owned: boolean; control: "promote" | "abort" | undefined }> {
  // Absent keys read as SQL NULL in jsonb_to_recordset; undefined must not become JSON null.
  // Secret-looking env values never reach the table (lib/redact/secrets.ts).
  const events = (record.events ?? []).map(({ request, response, message, ...e }) => ({
    ...e,
    // A cluster's error text can quote what it refused (a URL with its password, a key).
    message: redactString(message),
    ...(request === undefined ? {} : { request: redactSecrets(JSON.parse(jsonText(request)!) as unknown) }),
    ...(response === undefined ? {} : { response: redactSecrets(JSON.parse(jsonText(response)!) as unknown) }),
  }));
  const rows = await db.$queryRaw<{ control_request: string | null }[]>`
    with event as (
      insert into run_events (run_id, seq, step, phase, message, request, response)
      select ${runId}, e.seq, e.step, e.phase::"RunEventPhase", e.message, e.request, e.response
        from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as e(seq int, step text, phase text, message text, request jsonb, response jsonb)
       where exists (select 1 from deployment_runs where id = ${runId} and lease_owner = ${workerId})
      returning 1
    )
    update deployment_runs
       set state = coalesce(${jsonText(record.state)}::jsonb, state),
           current_step = coalesce(${record.currentStep ?? null}, current_step),
           from_image = case when ${record.summary !== undefined} then ${record.summary?.fromImage ?? null} else from_image end,
           to_image = case when ${record.summary !== undefined} then ${record.summary?.toImage ?? null} else to_image end,
           rollback_target = case when ${record.summary !== undefined} then coalesce(${jsonText(record.summary?.rollbackTarget ?? undefined)}::jsonb, rollback_target) else rollback_target end,
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
export async function appendRunEvent(tx: DbTx, runId: string, event: Omit<StepEvent, "seq">): Promise<void> {
  await tx.$queryRaw`select id from deployment_runs where id = ${runId} for update`;
  const seq = ((await tx.runEvent.aggregate({ where: { runId }, _max: { seq: true } }))._max.seq ?? 0) + 1;
  await tx.runEvent.create({
    data: {
      runId,
      seq,
      step: event.step,
      phase: event.phase,
      message: redactString(event.message),
      request: jsonValue(event.request),
      response: jsonValue(event.response),
    },
  });
}

function jsonValue(value: unknown): Prisma.InputJsonValue | undefined {
  return value === undefined ? undefined : (redactSecrets(JSON.parse(JSON.stringify(value))) as Prisma.InputJsonValue);
}
