import { CheckCircle2, CircleDashed, Info, XCircle } from "lucide-react";
import { UtcTime } from "@/components/deployments/log-table";
import type { RunDetail } from "@/lib/deploy/log-queries";

type Event = Omit<RunDetail["events"][number], "request" | "response"> & { request?: unknown; response?: unknown };

const PHASE = {
  BEFORE: { icon: CircleDashed, label: "started", className: "text-muted-foreground" },
  AFTER: { icon: CheckCircle2, label: "done", className: "text-success" },
  INFO: { icon: Info, label: "note", className: "text-sky-600 dark:text-sky-300" },
  ERROR: { icon: XCircle, label: "error", className: "text-destructive" },
} as const;

// Analysis and verification steps record the SLI values they judged where other steps record the
// cluster's answer.
function responseLabel(step: string): string {
  return /analy|verif|judge|slo|sli/i.test(step) ? "Analysis values" : "What the cluster answered";
}

function Json({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <details className="mt-1 rounded border border-border bg-muted/30 text-xs">
      <summary className="cursor-pointer px-2 py-1 font-medium">{label}</summary>
      <pre className="max-h-96 overflow-auto border-t border-border px-2 py-1 font-mono whitespace-pre-wrap">
        {JSON.stringify(value, null, 2)}
      </pre>
    </details>
  );
}

/**
 * Every event of a run in the order it was written. Request and response bodies come only to
 * those who may read them (`bodies`, from lib/redact/run-events.ts), already redacted; the others
 * read the step summaries and are told why there is no more.
 */
export function RunEvents({ events, bodies }: { events: Event[]; bodies: boolean }) {
  return (
    <>
      {bodies ? null : (
        <p className="border-b border-border px-5 py-2 text-xs text-muted-foreground" data-testid="step-bodies-hidden">
          What each step sent to the cluster and what it answered is shown to release managers, on-call engineers and
          admins.
        </p>
      )}
      <ol className="divide-y divide-border" aria-label="Step events">
        {events.map((e) => {
          const phase = PHASE[e.phase];
          const Icon = phase.icon;
          return (
            <li key={e.id} className="flex gap-3 px-5 py-3 text-sm" data-testid="run-event" data-step={e.step}>
              <Icon className={`mt-0.5 size-4 shrink-0 ${phase.className}`} aria-label={phase.label} />
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-baseline justify-between gap-x-4">
                  <p>
                    <span className="font-mono text-xs text-muted-foreground">
                      #{e.seq} {e.step}
                    </span>{" "}
                    {e.message}
                  </p>
                  <span className="text-xs text-muted-foreground">
                    <UtcTime value={e.at} />
                  </span>
                </div>
                <Json label="Request sent" value={e.request} />
                <Json label={responseLabel(e.step)} value={e.response} />
              </div>
            </li>
          );
        })}
      </ol>
    </>
  );
}
