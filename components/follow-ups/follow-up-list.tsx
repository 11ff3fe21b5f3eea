"use client";

import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { tickFollowUpAction } from "@/lib/actions/follow-ups";
import { FOLLOW_UP_DUE_LABELS, FOLLOW_UP_DUES, type FollowUpState } from "@/lib/follow-ups/due";
import type { FollowUpDue } from "@/lib/generated/prisma/enums";
import { tickFollowUpSchema } from "@/lib/schemas/follow-ups";

export interface FollowUpView {
  id: string;
  label: string;
  due: FollowUpDue;
  /** As read in the environment's zone: "Fri 12 Dec, 17:00 CET". */
  dueAt: string;
  /** "in 3 hours" / "2 hours ago". */
  dueRelative: string;
  state: FollowUpState;
  checkedBy?: string;
  checkedAt?: string;
  evidenceUrl?: string;
  note?: string;
  closedReason?: string;
}

const STATE_BADGE: Record<FollowUpState, { tone: "neutral" | "success" | "danger" | "info"; text: string }> = {
  done: { tone: "success", text: "done" },
  closed: { tone: "neutral", text: "closed" },
  overdue: { tone: "danger", text: "overdue" },
  open: { tone: "info", text: "open" },
};

function TickForm({ item }: { item: FollowUpView }) {
  const tick = useAction(tickFollowUpAction, { schema: tickFollowUpSchema });
  const [evidenceUrl, setEvidenceUrl] = useState("");
  const [note, setNote] = useState("");
  const errorId = `follow-up-error-${item.id}`;
  const error = tick.fieldErrors.evidenceUrl ?? tick.fieldErrors.note;
  return (
    <form
      id={tick.formId}
      className="ml-1 mt-1 flex flex-wrap items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        tick.execute({ itemId: item.id, evidenceUrl: evidenceUrl.trim(), note }, { success: "Follow-up ticked." });
      }}
    >
      <Input
        className="h-7 min-w-40 flex-1 text-xs"
        type="url"
        placeholder="Evidence link (optional)"
        aria-label={`Evidence for ${item.label}`}
        aria-invalid={tick.fieldErrors.evidenceUrl ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        value={evidenceUrl}
        onChange={(e) => setEvidenceUrl(e.target.value)}
      />
      <Input
        className="h-7 min-w-40 flex-1 text-xs"
        placeholder="Note (optional)"
        aria-label={`Note for ${item.label}`}
        aria-invalid={tick.fieldErrors.note ? true : undefined}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <Button size="sm" type="submit" disabled={tick.pending} aria-label={`Done: ${item.label}`}>
        {tick.pending ? "Saving…" : "Done"}
      </Button>
      {error || tick.error ? (
        <p id={errorId} role="alert" className="w-full text-xs text-destructive">
          {error?.join(" ") ?? tick.error?.message}
        </p>
      ) : null}
    </form>
  );
}

/**
 * One deploy's post-deployment checklist, by when each follow-up comes due. Ticking needs no
 * confirmation: it records that someone looked, and adds nothing to the cluster.
 */
export function FollowUpList({
  items,
  canTick,
  timeZone,
}: {
  items: FollowUpView[];
  canTick: boolean;
  timeZone: string;
}) {
  return (
    <div className="space-y-4 text-sm">
      <p className="text-xs text-muted-foreground">Due times in {timeZone}.</p>
      {FOLLOW_UP_DUES.map((bucket) => {
        const group = items.filter((i) => i.due === bucket);
        if (group.length === 0) return null;
        return (
          <section key={bucket} className="space-y-2" aria-label={FOLLOW_UP_DUE_LABELS[bucket]}>
            <h3 className="text-xs font-medium uppercase text-muted-foreground">{FOLLOW_UP_DUE_LABELS[bucket]}</h3>
            <ul className="space-y-3">
              {group.map((item) => {
                const badge = STATE_BADGE[item.state];
                return (
                  <li key={item.id} data-testid="follow-up" data-state={item.state} className="space-y-1">
                    <div className="flex flex-wrap items-baseline gap-2">
                      <span className={item.state === "closed" ? "text-muted-foreground line-through" : undefined}>
                        {item.label}
                      </span>
                      <Badge tone={badge.tone}>{badge.text}</Badge>
                    </div>
                    <p className="text-xs text-muted-foreground">
                      {item.state === "done"
                        ? `ticked by ${item.checkedBy} · ${item.checkedAt}`
                        : item.state === "closed"
                          ? item.closedReason
                          : `due ${item.dueAt} (${item.dueRelative})`}
                      {item.evidenceUrl ? (
                        <>
                          {" · "}
                          <a
                            className="text-primary underline"
                            href={item.evidenceUrl}
                            target="_blank"
                            rel="noopener noreferrer nofollow"
                          >
                            evidence
                          </a>
                        </>
                      ) : null}
                    </p>
                    {item.note ? <p className="text-xs">{item.note}</p> : null}
                    {canTick && (item.state === "open" || item.state === "overdue") ? <TickForm item={item} /> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
