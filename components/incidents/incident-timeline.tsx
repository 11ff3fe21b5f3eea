import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { humanize } from "@/lib/format/humanize";
import type { IncidentEventKind, IncidentStep } from "@/lib/generated/prisma/enums";
import { INCIDENT_STEPS } from "@/lib/incidents/procedure";

export interface TimelineItem {
  id: string;
  kind: IncidentEventKind;
  step: IncidentStep;
  message: string;
  at: Date;
  actorName: string | null;
  runId: string | null;
  alertName: string | null;
}

const STEP_HINTS: Record<IncidentStep, string> = {
  DETECT: "How it was noticed: alerts, SLI breaches, a person declaring it.",
  ACKNOWLEDGE: "Someone owns it: acknowledgement and the commander.",
  ASSESS: "How bad and why: severity, suspects, linked runs.",
  COMMUNICATE: "Who was told what.",
  REMEDIATE: "What was done: deploys, traffic switches, rollbacks.",
  VERIFY: "Is it fixed: status changes, alerts resolving.",
  DOCUMENT: "The postmortem.",
  REVIEW: "Action items and their follow-up.",
};

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** Who an entry is by: a person, Alertmanager for alerts, Greenlight for everything it did itself. */
function who(item: TimelineItem): string {
  if (item.actorName) return item.actorName;
  return item.kind === "ALERT" || item.kind === "ALERT_RESOLVED" || item.alertName ? "Alertmanager" : "Greenlight";
}

/** The timeline in the order of the 8-step procedure; inside a step, oldest first. */
export function IncidentTimeline({ items }: { items: TimelineItem[] }) {
  return (
    <ol className="space-y-6" aria-label="Timeline by procedure step">
      {INCIDENT_STEPS.map((step, index) => {
        const entries = items.filter((i) => i.step === step);
        return (
          <li key={step} aria-labelledby={`step-${step}`}>
            <div className="flex items-baseline gap-2">
              <h3 id={`step-${step}`} className="text-sm font-semibold capitalize">
                {index + 1}. {humanize(step)}
              </h3>
              <span className="text-xs text-muted-foreground">{STEP_HINTS[step]}</span>
            </div>
            {entries.length === 0 ? (
              <p className="mt-1 pl-4 text-xs text-muted-foreground">Nothing yet.</p>
            ) : (
              <ul className="mt-2 space-y-2 border-l border-border pl-4">
                {entries.map((e) => (
                  <li key={e.id} className="text-sm" data-testid="timeline-entry" data-kind={e.kind}>
                    <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                      <time dateTime={e.at.toISOString()}>{utc(e.at)}</time>
                      <span aria-hidden>·</span>
                      <span className="font-medium text-foreground">{who(e)}</span>
                      <Badge tone="neutral">{humanize(e.kind)}</Badge>
                      {e.runId ? (
                        <Link className="text-primary underline" href={`/deployments/${e.runId}`}>
                          run
                        </Link>
                      ) : null}
                    </div>
                    <p className="mt-0.5 whitespace-pre-wrap break-words">{e.message}</p>
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
