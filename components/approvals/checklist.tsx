"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Input } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { tickChecklistAction } from "@/lib/actions/approvals/sign";

export interface ChecklistItemView {
  id: string;
  label: string;
  required: boolean;
  checkedBy?: string;
  checkedAt?: string;
  evidenceUrl?: string;
}

export function Checklist({ releaseId, items, canTick }: { releaseId: string; items: ChecklistItemView[]; canTick: boolean }) {
  const router = useRouter();
  const tick = useAction(tickChecklistAction);
  const [evidence, setEvidence] = useState<Record<string, string>>({});
  // The box follows the click at once; the server's answer (or its refusal) settles it.
  const [optimistic, setOptimistic] = useState<Record<string, boolean>>({});
  const settle = (id: string) => setOptimistic(({ [id]: _done, ...rest }) => rest);
  const serverState = items.map((i) => `${i.id}:${Boolean(i.checkedAt)}`).join(",");
  // Once the page shows the server's state for an item, the optimistic value has done its job.
  useEffect(() => {
    setOptimistic((current) => Object.fromEntries(Object.entries(current).filter(([id, checked]) => Boolean(items.find((i) => i.id === id)?.checkedAt) !== checked)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverState]);

  return (
    <ul className="space-y-3 text-sm">
      {items.map((item) => (
        <li key={item.id} className="space-y-1" data-testid="checklist-item">
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              className="mt-0.5 size-4 shrink-0 accent-[var(--primary)]"
              checked={optimistic[item.id] ?? Boolean(item.checkedAt)}
              disabled={!canTick || tick.pending}
              onChange={(e) => {
                const checked = e.target.checked;
                setOptimistic({ ...optimistic, [item.id]: checked });
                tick.execute(
                  { releaseId, itemId: item.id, checked, evidenceUrl: evidence[item.id] ?? "" },
                  { onSuccess: () => router.refresh(), onError: () => settle(item.id) },
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
                      <a className="text-primary underline" href={item.evidenceUrl} target="_blank" rel="noopener noreferrer nofollow">evidence</a>
                    </>
                  ) : null}
                </span>
              ) : null}
            </span>
          </label>
          {canTick && !item.checkedAt ? (
            <Input className="ml-6 h-7 w-[calc(100%-1.5rem)] text-xs" placeholder="Evidence link (optional), then tick" aria-label={`Evidence for ${item.label}`} value={evidence[item.id] ?? ""} onChange={(e) => setEvidence({ ...evidence, [item.id]: e.target.value })} />
          ) : null}
        </li>
      ))}
      {tick.error ? <li role="alert" className="text-xs text-destructive">{tick.error.message}</li> : null}
      {!canTick ? <li className="text-xs text-muted-foreground">Release managers, admins and approvers tick items.</li> : null}
    </ul>
  );
}
