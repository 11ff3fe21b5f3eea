"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Select, Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { addIncidentNoteAction } from "@/lib/actions/incidents/respond";
import { humanize } from "@/lib/format/humanize";
import { noteSchema, STEPS } from "@/lib/schemas/incidents";

/** A note on the timeline, filed under the procedure step it belongs to. */
export function NoteForm({ incidentId }: { incidentId: string }) {
  const [text, setText] = useState("");
  const [step, setStep] = useState<(typeof STEPS)[number]>("COMMUNICATE");
  const note = useAction(addIncidentNoteAction, { schema: noteSchema });
  return (
    <form
      id={note.formId}
      noValidate
      aria-label="Add a note"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        note.execute({ incidentId, text, step }, { success: "Note added.", onSuccess: () => setText("") });
      }}
    >
      <Field id="note" label="Note" errors={note.fieldErrors.text} hint="What you saw, did or told people.">
        <Textarea
          {...describedBy("note", note.fieldErrors.text)}
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="min-h-20"
        />
      </Field>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <label className="flex items-center gap-2 text-sm">
          <span className="text-muted-foreground">Procedure step</span>
          <Select
            className="w-44"
            aria-label="Procedure step"
            value={step}
            onChange={(e) => setStep(e.target.value as (typeof STEPS)[number])}
          >
            {STEPS.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </Select>
        </label>
        <Button type="submit" disabled={note.pending}>
          {note.pending ? "Adding…" : "Add note"}
        </Button>
      </div>
    </form>
  );
}
