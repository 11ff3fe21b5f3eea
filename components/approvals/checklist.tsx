"use client";

import { useId, useOptimistic, useState } from "react";
import { Input } from "@/components/ui/input";
import { useAction, useFocusFirstInvalid } from "@/components/use-action";
import { tickChecklistAction } from "@/lib/actions/approvals/sign";
import { tickSchema } from "@/lib/schemas/approvals";

export interface ChecklistItemView {
  id: string;
  label: string;
  required: boolean;
  checkedBy?: string;
  checkedAt?: string;
  evidenceUrl?: string;
}

export function Checklist({
  releaseId,
  items,
  canTick,
}: {
  releaseId: string;
  items: ChecklistItemView[];
  canTick: boolean;
}) {
  const tick = useAction(tickChecklistAction, { schema: tickSchema });
  const [evidence, setEvidence] = useState<Record<string, string>>({});
  // Which item the last tick was for, so an evidence error lands on its link field.
  const [ticked, setTicked] = useState<string | null>(null);
  const listId = useId();
  useFocusFirstInvalid(listId, tick.error?.fieldErrors ?? null);
  const errorId = `checklist-error-${releaseId}`;
  // The box follows the click at once; the page the action revalidates (or its refusal) settles it.
  const [checked, setChecked] = useOptimistic(
    Object.fromEntries(items.map((i) => [i.id, Boolean(i.checkedAt)])),
    (state: Record<string, boolean>, change: { id: string; checked: boolean }) => ({
      ...state,
      [change.id]: change.checked,
    }),
  );

  return (
    <ul id={listId} className="space-y-3 text-sm">
      {items.map((item) => (
        <li key={item.id} className="space-y-1" data-testid="checklist-item">
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              className="mt-0.5 size-4 shrink-0 accent-[var(--primary)]"
              checked={checked[item.id]}
              disabled={!canTick || tick.pending}
              onChange={(e) => {
                const change = { id: item.id, checked: e.target.checked };
                setTicked(item.id);
                tick.execute(
                  { releaseId, itemId: item.id, checked: change.checked, evidenceUrl: evidence[item.id] ?? "" },
                  { optimistic: () => setChecked(change) },
                );
              }}
            />
            <span>
              {item.label}
              {!item.required ? <span className="text-muted-foreground"> (optional)</span> : null}
              {item.checkedBy ? (
                <span className="block text-xs text-muted-foreground">
                  ticked by {item.checkedBy}
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
                </span>
              ) : null}
            </span>
          </label>
          {canTick && !item.checkedAt ? (
            <Input
              className="ml-6 h-7 w-[calc(100%-1.5rem)] text-xs"
              placeholder="Evidence link (optional), then tick"
              aria-label={`Evidence for ${item.label}`}
              aria-invalid={ticked === item.id && tick.fieldErrors.evidenceUrl ? true : undefined}
              aria-describedby={ticked === item.id && tick.error ? errorId : undefined}
              value={evidence[item.id] ?? ""}
              onChange={(e) => setEvidence({ ...evidence, [item.id]: e.target.value })}
            />
          ) : null}
        </li>
      ))}
      {tick.error ? (
        <li id={errorId} role="alert" className="text-xs text-destructive">
          {tick.error.message}
        </li>
      ) : null}
      {!canTick ? (
        <li className="text-xs text-muted-foreground">Release managers, admins and approvers tick items.</li>
      ) : null}
    </ul>
  );
}
