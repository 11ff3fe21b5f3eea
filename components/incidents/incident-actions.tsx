"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { describedBy, Field } from "@/components/ui/field";
import { Select, Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import {
  acknowledgeIncidentAction,
  changeIncidentSeverityAction,
  changeIncidentStatusAction,
  reopenIncidentAction,
  resolveIncidentAction,
  setIncidentCommanderAction,
} from "@/lib/actions/incidents/respond";
import { humanize } from "@/lib/format/humanize";
import type { IncidentStatus, Severity } from "@/lib/generated/prisma/enums";
import { OPEN_STATUSES, resolveSchema, SEVERITIES, SEVERITY_LABELS } from "@/lib/schemas/incidents";

interface Props {
  incidentId: string;
  status: IncidentStatus;
  severity: Severity;
  commanderId: string | null;
  acknowledged: boolean;
  responders: { id: string; name: string }[];
}

/** What a responder does to an incident; rendered only for people allowed to. */
export function IncidentActions({ incidentId, status, severity, commanderId, acknowledged, responders }: Props) {
  const acknowledge = useAction(acknowledgeIncidentAction);
  const changeStatus = useAction(changeIncidentStatusAction);
  const changeSeverity = useAction(changeIncidentSeverityAction);
  const changeCommander = useAction(setIncidentCommanderAction);
  const reopen = useAction(reopenIncidentAction);
  const resolved = status === "RESOLVED";

  return (
    <div className="flex flex-wrap items-end gap-3" role="group" aria-label="Incident actions">
      {!acknowledged && !resolved ? (
        <Button
          onClick={() => acknowledge.execute({ incidentId }, { success: "Acknowledged: you are on it." })}
          disabled={acknowledge.pending}
        >
          {acknowledge.pending ? "Acknowledging…" : "Acknowledge"}
        </Button>
      ) : null}
      {!resolved ? (
        <label className="flex flex-col gap-1 text-sm">
          <span className="text-muted-foreground">Status</span>
          <Select
            className="w-40"
            aria-label="Status"
            value={status}
            disabled={changeStatus.pending}
            onChange={(e) =>
              changeStatus.execute(
                { incidentId, status: e.target.value as (typeof OPEN_STATUSES)[number] },
                { success: `Status: ${humanize(e.target.value)}.` },
              )
            }
          >
            {OPEN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </Select>
        </label>
      ) : null}
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-muted-foreground">Severity</span>
        <Select
          className="w-48"
          aria-label="Severity"
          value={severity}
          disabled={changeSeverity.pending}
          onChange={(e) =>
            changeSeverity.execute(
              { incidentId, severity: e.target.value as Severity },
              { success: `Severity: ${e.target.value}.` },
            )
          }
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABELS[s]}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-muted-foreground">Commander</span>
        <Select
          className="w-48"
          aria-label="Commander"
          value={commanderId ?? ""}
          disabled={changeCommander.pending}
          onChange={(e) =>
            e.target.value &&
            changeCommander.execute(
              { incidentId, commanderId: e.target.value },
              { success: (d) => `${responders.find((r) => r.id === d.commanderId)?.name ?? "They"} now commands.` },
            )
          }
        >
          {commanderId ? null : <option value="">Nobody yet</option>}
          {responders.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </Select>
      </label>
      {resolved ? (
        <ConfirmDialog
          trigger={
            <Button variant="secondary" disabled={reopen.pending}>
              Reopen
            </Button>
          }
          title="Reopen this incident?"
          description="It goes back to investigating, and time to restore runs again. The resolution stays in the timeline."
          confirm="Reopen incident"
          onConfirm={() => reopen.execute({ incidentId }, { success: "Reopened." })}
        />
      ) : (
        <ResolveDialog incidentId={incidentId} />
      )}
    </div>
  );
}

function ResolveDialog({ incidentId }: { incidentId: string }) {
  const [open, setOpen] = useState(false);
  const [resolution, setResolution] = useState("");
  const resolve = useAction(resolveIncidentAction, { schema: resolveSchema });
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="secondary">Resolve</Button>
      </DialogTrigger>
      <DialogContent
        title="Resolve this incident?"
        description="Say what happened and how it ended: the summary stays on the record and in the postmortem."
      >
        <form
          id={resolve.formId}
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            resolve.execute(
              { incidentId, resolution },
              {
                success: "Resolved.",
                onSuccess: () => {
                  setOpen(false);
                  setResolution("");
                },
              },
            );
          }}
        >
          <Field
            id="resolution"
            label="Resolution summary"
            errors={resolve.fieldErrors.resolution}
            hint="At least 10 characters, e.g. “Rolled back to 1.4.2; error rate back under 0.1 %”."
          >
            <Textarea
              {...describedBy("resolution", resolve.fieldErrors.resolution)}
              value={resolution}
              onChange={(e) => setResolution(e.target.value)}
              required
            />
          </Field>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="ghost">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={resolve.pending}>
              {resolve.pending ? "Resolving…" : "Resolve incident"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
