"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, CircleDashed, Loader2, XCircle } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useAction } from "@/components/use-action";
import { abortCanaryAction, promoteCanaryAction } from "@/lib/actions/runs/canary";
import type { RunProgress as Progress } from "@/lib/deploy/queries";
import { isActiveRunStatus } from "@/lib/deploy/run-status";
import { humanize } from "@/lib/format/humanize";

const TONE = {
  QUEUED: "neutral",
  RUNNING: "info",
  PAUSED: "warning",
  SUCCEEDED: "success",
  FAILED: "danger",
  ABORTED: "warning",
  ROLLED_BACK: "danger",
} as const;
// A stream that opened but sent nothing by then is being buffered somewhere (a proxy): poll.
const FIRST_MESSAGE_TIMEOUT_MS = 5000;

async function fetchRun(id: string): Promise<Progress> {
  const response = await fetch(`/api/runs/${id}`, { cache: "no-store" });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error ?? `HTTP ${response.status}`);
  return response.json();
}

function seconds(from: string, to: string | null): string | null {
  return to ? `${((new Date(to).getTime() - new Date(from).getTime()) / 1000).toFixed(1)} s` : null;
}

/** Whether the run can still change: in progress, or finished with its verification window open. */
function live(run: Progress | undefined): boolean {
  return !run || isActiveRunStatus(run.status) || run.verification === "VERIFYING";
}

/** The fallback: every second while running, every 5 s while a verification window is open. */
function pollInterval(run: Progress | undefined): number | false {
  return !run || isActiveRunStatus(run.status) ? 1000 : run.verification === "VERIFYING" ? 5000 : false;
}

type Mode = "stream" | "poll";

/**
 * Follows a run through GET /api/runs/[id]/stream (server-sent events, pushed when PostgreSQL
 * says the run changed) while `wanted`, writing each message into the query cache. Sets "stream"
 * while that works; "poll" when EventSource is missing or the stream errs, until it delivers again.
 */
function useRunStream(runId: string, wanted: boolean, setMode: (mode: Mode) => void): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!wanted) return;
    if (typeof EventSource === "undefined") {
      setMode("poll");
      return;
    }
    const source = new EventSource(`/api/runs/${runId}/stream`);
    const silent = setTimeout(() => setMode("poll"), FIRST_MESSAGE_TIMEOUT_MS);
    source.onmessage = (event: MessageEvent<string>) => {
      clearTimeout(silent);
      const run = JSON.parse(event.data) as Progress;
      queryClient.setQueryData(["run", runId], run);
      setMode("stream");
      // The server closes a settled run's stream; closing here too stops EventSource reconnecting.
      if (!live(run)) source.close();
    };
    // EventSource reconnects by itself after a network error (its next message switches back);
    // after an HTTP error it gives up, and polling carries on alone.
    source.onerror = () => setMode("poll");
    return () => {
      clearTimeout(silent);
      source.close();
    };
  }, [runId, wanted, queryClient, setMode]);
}

/** A run's steps as they happen, streamed (polled as a fallback) until it reaches its final state. */
export function RunProgress({
  runId,
  canPromote,
  canAbort,
  onFinished,
  initialData,
}: {
  runId: string;
  /** Promote sends the canary to everyone: release managers and admins (release:deploy). */
  canPromote?: boolean;
  /** Abort takes it out of traffic: on-call too (run:control). */
  canAbort?: boolean;
  onFinished?: (run: Progress) => void;
  initialData?: Progress;
}) {
  const [mode, setMode] = useState<Mode>("stream");
  const query = useQuery({
    queryKey: ["run", runId],
    queryFn: () => fetchRun(runId),
    initialData,
    // While the stream delivers, the query only holds what it wrote: no fetch, no polling.
    enabled: mode === "poll",
    refetchInterval: (q) => pollInterval(q.state.data),
    staleTime: 0,
  });
  const run = query.data;
  useRunStream(runId, live(run), setMode);

  // Told on every new state of a finished run (its verification verdict included), however it came.
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  });
  // The state the page was rendered with is not news. Held from the first render: a refreshed page
  // hands in a new object, which must not count as a new state (that would refresh again).
  const rendered = useRef(initialData);
  useEffect(() => {
    if (run && run !== rendered.current && !isActiveRunStatus(run.status)) finished.current?.(run);
  }, [run]);

  const promote = useAction(promoteCanaryAction);
  const abort = useAction(abortCanaryAction);
  const controlling = promote.pending || abort.pending;

  if (query.isPending)
    return (
      <p className="flex items-center gap-2 text-sm text-muted-foreground">
        <Loader2 className="size-4 animate-spin" /> Loading the run…
      </p>
    );
  if (query.isError || !run)
    return (
      <p role="alert" className="text-sm text-destructive">
        Could not load the run: {query.error?.message ?? "no answer yet"}. Retrying…
      </p>
    );
  const active = isActiveRunStatus(run.status);
  const switched = seconds(run.createdAt, run.trafficSwitchedAt);
  const total = seconds(run.createdAt, run.finishedAt);
  const steps = run.events.filter((e) => e.phase !== "BEFORE");

  return (
    <div className="space-y-3" data-testid="run-progress" data-status={run.status}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={TONE[run.status]} data-testid="run-status">
          {humanize(run.status)}
        </Badge>
        <span className="text-muted-foreground">
          {run.kind.toLowerCase()} · {run.strategy.toLowerCase().replace("_", "-")}
          {run.requestedBy ? ` · by ${run.requestedBy}` : run.kind === "ROLLBACK" ? " · automatic" : ""}
        </span>
        {active ? <Loader2 className="size-4 animate-spin text-muted-foreground" aria-label="in progress" /> : null}
      </div>
      {switched ? (
        <p className="text-sm" data-testid="traffic-switched">
          Traffic switched <strong>{switched}</strong> after the request{total ? `; finished after ${total}` : ""}.
        </p>
      ) : null}
      {run.kind === "ROLLBACK" && run.reason ? (
        <p className="text-sm text-muted-foreground">Reason: {run.reason}</p>
      ) : null}
      {run.verification ? <Verification run={run} /> : null}
      {run.outcome ? (
        <p className={run.status === "SUCCEEDED" ? "text-sm" : "text-sm text-destructive"} data-testid="run-outcome">
          {run.outcome}
        </p>
      ) : null}
      <ol className="space-y-1.5 text-sm" aria-label="Steps">
        {steps.map((e) => (
          <li key={e.seq} className="flex gap-2">
            {e.phase === "AFTER" ? (
              <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-success" aria-label="done" />
            ) : e.phase === "ERROR" ? (
              <XCircle className="mt-0.5 size-4 shrink-0 text-destructive" aria-label="error" />
            ) : (
              <CircleDashed className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-label="progress" />
            )}
            <span>
              <span className="font-mono text-xs text-muted-foreground">{e.step}</span> {e.message}
            </span>
          </li>
        ))}
      </ol>
      {(canPromote || canAbort) && active && run.kind === "DEPLOY" && run.strategy === "CANARY" && !run.control ? (
        <div className="flex gap-2" data-testid="canary-controls">
          {canPromote ? (
            <Button
              size="sm"
              variant="secondary"
              disabled={controlling}
              onClick={() => promote.execute({ runId }, { success: "Promote requested: the canary goes to 100 %." })}
            >
              Promote now
            </Button>
          ) : null}
          {canAbort ? (
            <ConfirmDialog
              trigger={
                <Button size="sm" variant="destructive" disabled={controlling}>
                  Abort canary
                </Button>
              }
              title="Abort the canary?"
              description="It scales to zero; stable keeps all traffic."
              confirm="Abort canary"
              cancel="Keep it running"
              onConfirm={() => abort.execute({ runId }, { success: "Abort requested." })}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

const VERIFICATION = {
  VERIFYING: { tone: "info", label: "verifying" },
  VERIFIED: { tone: "success", label: "verified" },
  BREACHED: { tone: "danger", label: "breached" },
  UNVERIFIED: { tone: "warning", label: "unverified" },
  SUPERSEDED: { tone: "neutral", label: "superseded" },
} as const;

/** The verification window after a rolling or blue-green deploy: watching, or how it ended. */
function Verification({ run }: { run: Progress }) {
  const state = VERIFICATION[run.verification!];
  return (
    <p
      className="flex flex-wrap items-center gap-2 text-sm"
      data-testid="run-verification"
      data-verification={run.verification}
    >
      <Badge tone={state.tone}>{state.label}</Badge>
      {run.verification === "VERIFYING" && run.verifyUntil ? (
        <span>
          SLIs watched until {new Date(run.verifyUntil).toLocaleTimeString()}; a breach rolls back automatically unless
          the service turned that off.
        </span>
      ) : null}
      {run.verificationNote ? <span className="text-muted-foreground">{run.verificationNote}</span> : null}
    </p>
  );
}
