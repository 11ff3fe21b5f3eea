"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { linkIncidentRunAction } from "@/lib/actions/incidents/respond";
import { linkRunSchema } from "@/lib/schemas/incidents";

/** Links one of the service's recent runs as the incident's cause or a remedy. */
export function LinkRunForm({ incidentId, runs }: { incidentId: string; runs: { id: string; label: string }[] }) {
  const [runId, setRunId] = useState(runs[0]?.id ?? "");
  const [relation, setRelation] = useState<"cause" | "remedy">("cause");
  const link = useAction(linkIncidentRunAction, { schema: linkRunSchema });
  if (runs.length === 0) return null;
  return (
    <form
      id={link.formId}
      noValidate
      aria-label="Link a run"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        link.execute({ incidentId, runId, relation }, { success: "Run linked." });
      }}
    >
      <label className="flex w-full flex-col gap-1 text-sm">
        <span className="text-muted-foreground">Run</span>
        <Select className="w-full" aria-label="Run to link" value={runId} onChange={(e) => setRunId(e.target.value)}>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-muted-foreground">As</span>
        <Select
          className="w-32"
          aria-label="Link as"
          value={relation}
          onChange={(e) => setRelation(e.target.value as "cause" | "remedy")}
        >
          <option value="cause">cause</option>
          <option value="remedy">remedy</option>
        </Select>
      </label>
      <Button type="submit" variant="secondary" size="sm" disabled={link.pending}>
        Link run
      </Button>
    </form>
  );
}
