"use client";

import { useId, useOptimistic, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { useAction, useFocusFirstInvalid } from "@/components/use-action";
import { tickChecklistAction } from "@/lib/actions/approvals/sign";
import { tickSchema } from "@/lib/schemas/approvals";

export interface ChecklistItemView {
  id: string;
  label: string;
  required: boolean;
  evidenceRequired: boolean;
  /** ticked on the current revision, voided (ticked on an earlier one only) or open. */
  state: "ticked" | "open" | "voided";
  checkedBy?: string;
  checkedAt?: string;
  evidenceUrl?: string;
  /** The revision the shown tick was given on. */
  tickRevision?: number;
  note?: string;
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export function Checklist({
  releaseId,
  revision,
  items,
  canTick,
  closedReason,
}: {
  releaseId: string;
  /** The revision the page shows: ticks bind to it. */
  revision: number;
  items: ChecklistItemView[];
  canTick: boolean;
  /** Why nobody can tick, when nobody can (a finished or deploying release). */
  closedReason?: string;
}) {
  const tick = useAction(tickChecklistAction, { schema: tickSchema });
  const [evidence, setEvidence] = useState<Record<string, string>>({});
  // Which item the last tick was for, so an evidence error lands on its link field.
  const [ticked, setTicked] = useState<string | null>(null);
  // A tick the browser refused before sending (evidence missing), by item.
  const [missing, setMissing] = useState<{ itemId: string } | null>(null);
  const listId = useId();
  useFocusFirstInvalid(listId, missing ?? tick.error?.fieldErrors ?? null);
  const errorId = `checklist-error-${releaseId}`;
  // The box follows the click at once; the page the action revalidates (or its refusal) settles it.
  const [checked, setChecked] = useOptimistic(
    Object.fromEntries(items.map((i) => [i.id, i.state === "ticked"])),
    (state: Record<string, boolean>, change: { id: string; checked: boolean }) => ({
      ...state,
      [change.id]: change.checked,
    }),
  );
  const missingItem = items.find((i) => i.id === missing?.itemId);

  return (
    <ul id={listId} className="space-y-3 text-sm">
      {items.map((item) => {
        const hintId = `checklist-hint-${item.id}`;
        const invalid =
          missing?.itemId === item.id || (ticked === item.id && Boolean(tick.fieldErrors.evidenceUrl))
            ? true
            : undefined;
        return (
          <li
            key={item.id}
            className="space-y-1"
            data-testid="checklist-item"
            data-state={item.state}
            data-evidence-required={item.evidenceRequired || undefined}
          >
            <label className="flex items-start gap-2">
              <input
                type="checkbox"
                className="mt-0.5 size-4 shrink-0 accent-[var(--primary)]"
                checked={checked[item.id]}
                disabled={!canTick || tick.pending}
                aria-describedby={hintId}
                onChange={(e) => {
                  const change = { id: item.id, checked: e.target.checked };
                  const link = (evidence[item.id] ?? "").trim();
                  setTicked(item.id);
                  if (change.checked && item.evidenceRequired && !link) {
                    setMissing({ itemId: item.id });
                    return;
                  }
                  setMissing(null);
                  tick.execute(
                    { releaseId, itemId: item.id, revision, checked: change.checked, evidenceUrl: link },
                    { optimistic: () => setChecked(change) },
                  );
                }}
              />
              <span>
                {item.label}
                {!item.required ? <span className="text-muted-foreground"> (optional)</span> : null}
                {item.evidenceRequired ? (
                  <Badge tone="info" className="ml-2" data-testid="evidence-required">
                    evidence required
                  </Badge>
                ) : null}
                {item.state === "voided" ? (
                  <Badge tone="warning" className="ml-2" data-testid="tick-voided">
                    voided
                  </Badge>
                ) : null}
                <span id={hintId} className="block text-xs text-muted-foreground">
                  {item.checkedBy ? (
                    <span className={item.state === "voided" ? "line-through" : undefined}>
                      ticked by {item.checkedBy}
                      {item.state === "voided" && item.tickRevision ? ` on revision ${item.tickRevision}` : ""}
                      {item.checkedAt ? ` · ${utc(item.checkedAt)}` : ""}
                    </span>
                  ) : null}
                  {item.checkedBy && item.evidenceUrl ? (
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
                  {item.note ? (
                    <span className="block" data-testid="tick-note">
                      {item.note}
                      {item.state === "voided" ? "; tick it again for this revision" : ""}
                    </span>
                  ) : null}
                </span>
              </span>
            </label>
            {canTick && item.state !== "ticked" ? (
              <Input
                className="ml-6 h-7 w-[calc(100%-1.5rem)] text-xs"
                type="url"
                placeholder={
                  item.evidenceRequired ? "Evidence link (required), then tick" : "Evidence link (optional), then tick"
                }
                aria-label={`Evidence for ${item.label}${item.evidenceRequired ? " (required)" : ""}`}
                aria-required={item.evidenceRequired || undefined}
                aria-invalid={invalid}
                aria-describedby={invalid ? errorId : undefined}
                value={evidence[item.id] ?? ""}
                onChange={(e) => setEvidence({ ...evidence, [item.id]: e.target.value })}
              />
            ) : null}
          </li>
        );
      })}
      {missingItem ? (
        <li id={errorId} role="alert" className="text-xs text-destructive">
          “{missingItem.label}” needs evidence: paste a link to it (a test run, a report) before ticking.
        </li>
      ) : tick.error ? (
        <li id={errorId} role="alert" className="text-xs text-destructive">
          {tick.error.message}
        </li>
      ) : null}
      {!canTick ? (
        <li className="text-xs text-muted-foreground" data-testid="checklist-closed">
          {closedReason ?? "Release managers, admins and approvers tick items."}
        </li>
      ) : null}
    </ul>
  );
}
