"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { RunProgress } from "@/components/runs/run-progress";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { describedBy, Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { rollbackServiceAction } from "@/lib/actions/runs/rollback";
import type { RunProgress as Progress } from "@/lib/deploy/queries";
import { rollbackSchema } from "@/lib/schemas/runs";

interface Props {
  serviceId: string;
  environmentId: string;
  label: string;
  ready: boolean;
  detail: string;
  activeRunId: string | null;
  /** The active rollback as the server read it, so its progress renders without a spinner. */
  initialRun?: Progress | null;
}

/** One button, one confirmation that asks why, then the run's progress right here. */
export function RollbackButton({ serviceId, environmentId, label, ready, detail, activeRunId, initialRun }: Props) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [runId, setRunId] = useState<string | null>(activeRunId);
  const rollback = useAction(rollbackServiceAction, { schema: rollbackSchema });

  return (
    <div className="space-y-3">
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogTrigger asChild>
          <Button variant="destructive" disabled={!ready || rollback.pending}>
            Roll back {label}
          </Button>
        </DialogTrigger>
        <DialogContent
          title={`Roll back ${label}?`}
          description={`Greenlight will ${detail}. Rollbacks are never blocked by approvals or freezes.`}
        >
          <form
            id={rollback.formId}
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              rollback.execute(
                { serviceId, environmentId, reason },
                {
                  success: "Rollback started.",
                  onSuccess: (d) => {
                    setRunId(d.runId);
                    setOpen(false);
                    setReason("");
                  },
                },
              );
            }}
          >
            <Field
              id="rollback-reason"
              label="Why?"
              errors={rollback.fieldErrors.reason}
              hint="Goes into the run and the audit log, e.g. “5xx spike after 1.4.3”."
            >
              <Textarea
                {...describedBy("rollback-reason", rollback.fieldErrors.reason)}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={3}
                required
                autoFocus
              />
            </Field>
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button type="button" variant="ghost">
                  Cancel
                </Button>
              </DialogClose>
              <Button type="submit" variant="destructive" disabled={rollback.pending || reason.trim().length < 3}>
                {rollback.pending ? "Starting…" : "Roll back now"}
              </Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>
      {!ready ? <p className="text-xs text-muted-foreground">Rollback not ready: {detail}</p> : null}
      {/* The worker finishes a run, outside any request: no revalidatePath can reach this page, so it re-reads itself. */}
      {runId ? (
        <RunProgress
          key={runId}
          runId={runId}
          initialData={initialRun?.id === runId ? initialRun : undefined}
          onFinished={() => router.refresh()}
        />
      ) : null}
    </div>
  );
}
