"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy } from "@/components/ui/field";
import { Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { overrideGateAction } from "@/lib/actions/approvals/sign";
import { GATE_OVERRIDES, type GateOverrideKind } from "@/lib/approvals/override-kinds";
import { overrideSchema } from "@/lib/schemas/approvals";

/**
 * Admins only: ask to deploy this revision through a freeze or a spent error budget, with a
 * written reason that stays on the release; a second admin confirms it (lib/gate-changes).
 */
export function GateOverride({
  releaseId,
  revision,
  kind,
}: {
  releaseId: string;
  revision: number;
  kind: GateOverrideKind;
}) {
  const [reason, setReason] = useState("");
  const override = useAction(overrideGateAction, { schema: overrideSchema });
  const { name } = GATE_OVERRIDES[kind];
  const fieldId = `override-${kind.toLowerCase()}-reason`;
  return (
    <form
      id={override.formId}
      className="space-y-2"
      data-testid={`override-${kind}`}
      onSubmit={(e) => {
        e.preventDefault();
        override.execute(
          { releaseId, revision, kind, reason },
          { success: (d) => d.message, onSuccess: () => setReason("") },
        );
      }}
    >
      <label htmlFor={fieldId} className="block text-sm font-medium">
        Override the {name} (admin; takes effect when a second admin confirms)
      </label>
      <Textarea
        {...describedBy(fieldId, override.fieldErrors.reason, { hint: false })}
        rows={2}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="Why this cannot wait (at least 10 characters)"
      />
      {override.fieldErrors.reason ? (
        <p id={`${fieldId}-error`} className="text-xs text-destructive" role="alert">
          {override.fieldErrors.reason.join(" ")}
        </p>
      ) : null}
      <Button size="sm" variant="destructive" type="submit" disabled={override.pending || reason.trim().length < 10}>
        Ask to override the {name}
      </Button>
    </form>
  );
}
