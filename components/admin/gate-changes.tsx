"use client";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Timestamp } from "@/components/ui/timestamp";
import { useAction } from "@/components/use-action";
import { confirmGateChangeAction, declineGateChangeAction } from "@/lib/actions/gate-changes";
import type { GateChangesView } from "@/lib/gate-changes/queries";

const DECIDED: Record<string, { label: string; tone: "success" | "neutral" | "warning" }> = {
  CONFIRMED: { label: "Confirmed", tone: "success" },
  DECLINED: { label: "Declined", tone: "neutral" },
  EXPIRED: { label: "Lapsed", tone: "warning" },
};

/**
 * Changes that weaken the gate, waiting for a second admin: confirm (not one's own request, nor a
 * role for oneself) or decline. Shown wherever such a change is asked for.
 */
export function GateChanges({ view, title = "Waiting for a second admin" }: { view: GateChangesView; title?: string }) {
  const confirm = useAction(confirmGateChangeAction);
  const decline = useAction(declineGateChangeAction);
  const busy = confirm.pending || decline.pending;
  if (view.pending.length === 0 && view.decided.length === 0) return null;
  return (
    <Card data-testid="gate-changes">
      <CardHeader>
        <div>
          <CardTitle>{title}</CardTitle>
          <p className="text-sm text-muted-foreground">
            A change that weakens the gate takes effect only when an admin other than the one who asked confirms it.
            Requests lapse after 24 hours.
          </p>
        </div>
      </CardHeader>
      <CardBody className="space-y-3">
        {view.pending.length === 0 ? <p className="text-sm text-muted-foreground">Nothing is waiting.</p> : null}
        <ul className="space-y-3">
          {view.pending.map((change) => (
            <li
              key={change.id}
              className="flex flex-wrap items-start justify-between gap-3 rounded-md border border-warning/50 p-3"
              data-testid="gate-change-pending"
            >
              <div className="min-w-0 space-y-1">
                <p className="font-medium break-words">{change.summary}</p>
                <p className="text-xs text-muted-foreground">
                  Asked by {change.mine ? "you" : change.requestedBy} <Timestamp value={change.requestedAt} />, lapses{" "}
                  <Timestamp value={change.expiresAt} />
                </p>
                {change.refusal ? <p className="text-xs text-muted-foreground">{change.refusal}</p> : null}
              </div>
              <div className="flex gap-2">
                {change.refusal ? null : (
                  <ConfirmDialog
                    trigger={
                      <Button size="sm" variant="destructive" disabled={busy}>
                        Confirm
                      </Button>
                    }
                    title="Confirm this change to the gate?"
                    description={`${change.summary}. Asked by ${change.requestedBy}. It takes effect at once and is written to the audit log under both your names.`}
                    confirm="Confirm change"
                    onConfirm={() => confirm.execute({ changeId: change.id }, { success: (d) => d.message })}
                  />
                )}
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={busy}
                  onClick={() => decline.execute({ changeId: change.id }, { success: (d) => d.message })}
                >
                  {change.mine ? "Withdraw" : "Decline"}
                </Button>
              </div>
            </li>
          ))}
        </ul>
        {view.decided.length > 0 ? (
          <div>
            <h3 className="mb-1 text-sm font-medium">Recently decided</h3>
            <ul className="space-y-1 text-sm">
              {view.decided.map((change) => {
                const status = DECIDED[change.status] ?? DECIDED.DECLINED;
                return (
                  <li key={change.id} className="flex flex-wrap items-center gap-2" data-testid="gate-change-decided">
                    <Badge tone={status.tone}>{status.label}</Badge>
                    <span className="break-words">{change.summary}</span>
                    <span className="text-xs text-muted-foreground">
                      asked by {change.requestedBy}
                      {change.decidedBy ? `, ${status.label.toLowerCase()} by ${change.decidedBy}` : ""}
                      {change.decidedAt ? (
                        <>
                          {" "}
                          <Timestamp value={change.decidedAt} />
                        </>
                      ) : null}
                    </span>
                  </li>
                );
              })}
            </ul>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
