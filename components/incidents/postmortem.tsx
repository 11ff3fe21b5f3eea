"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import {
  addActionItemAction,
  completeActionItemAction,
  savePostmortemAction,
} from "@/lib/actions/incidents/postmortem";
import { actionItemSchema, postmortemSchema } from "@/lib/schemas/incidents";

export interface ActionItemView {
  id: string;
  title: string;
  ownerName: string;
  dueAt: string | null;
  doneAt: string | null;
}

interface Props {
  incidentId: string;
  impact: string;
  rootCause: string;
  wentWell: string;
  items: ActionItemView[];
  responders: { id: string; name: string }[];
  /** People without incident:manage read it; they get no form. */
  editable: boolean;
}

/** The P1/P2 postmortem: what it cost, why, what went well, and who does what next. */
export function Postmortem({ incidentId, impact, rootCause, wentWell, items, responders, editable }: Props) {
  return (
    <div className="space-y-6">
      {editable ? (
        <PostmortemForm incidentId={incidentId} impact={impact} rootCause={rootCause} wentWell={wentWell} />
      ) : (
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          {[
            ["Impact", impact],
            ["Root cause", rootCause],
            ["What went well", wentWell],
          ].map(([label, value]) => (
            <div key={label}>
              <dt className="font-medium">{label}</dt>
              <dd className="mt-1 whitespace-pre-wrap text-muted-foreground">{value || "Not written yet."}</dd>
            </div>
          ))}
        </dl>
      )}
      <section aria-labelledby="action-items">
        <h3 id="action-items" className="text-sm font-semibold">
          Action items
        </h3>
        {items.length === 0 ? (
          <p className="mt-1 text-sm text-muted-foreground">
            None yet.{editable ? " Add what must change so this does not happen again, each with an owner." : ""}
          </p>
        ) : (
          <ul className="mt-2 divide-y divide-border rounded-md border border-border">
            {items.map((item) => (
              <ActionItemRow key={item.id} incidentId={incidentId} item={item} editable={editable} />
            ))}
          </ul>
        )}
        {editable ? <ActionItemForm incidentId={incidentId} responders={responders} /> : null}
      </section>
    </div>
  );
}

function PostmortemForm(props: { incidentId: string; impact: string; rootCause: string; wentWell: string }) {
  const [impact, setImpact] = useState(props.impact);
  const [rootCause, setRootCause] = useState(props.rootCause);
  const [wentWell, setWentWell] = useState(props.wentWell);
  const save = useAction(savePostmortemAction, { schema: postmortemSchema });
  const { fieldErrors } = save;
  return (
    <form
      id={save.formId}
      noValidate
      aria-label="Postmortem"
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.execute({ incidentId: props.incidentId, impact, rootCause, wentWell }, { success: "Postmortem saved." });
      }}
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="impact" label="Impact" errors={fieldErrors.impact} hint="Who was hurt, how, for how long.">
          <Textarea
            {...describedBy("impact", fieldErrors.impact)}
            value={impact}
            onChange={(e) => setImpact(e.target.value)}
          />
        </Field>
        <Field id="rootCause" label="Root cause" errors={fieldErrors.rootCause} hint="Why it happened.">
          <Textarea
            {...describedBy("rootCause", fieldErrors.rootCause)}
            value={rootCause}
            onChange={(e) => setRootCause(e.target.value)}
          />
        </Field>
        <Field id="wentWell" label="What went well" errors={fieldErrors.wentWell} hint="What to keep doing.">
          <Textarea
            {...describedBy("wentWell", fieldErrors.wentWell)}
            value={wentWell}
            onChange={(e) => setWentWell(e.target.value)}
          />
        </Field>
      </div>
      <div className="flex justify-end">
        <Button type="submit" disabled={save.pending}>
          {save.pending ? "Saving…" : "Save postmortem"}
        </Button>
      </div>
    </form>
  );
}

function ActionItemRow({
  incidentId,
  item,
  editable,
}: {
  incidentId: string;
  item: ActionItemView;
  editable: boolean;
}) {
  const complete = useAction(completeActionItemAction);
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-3 py-2 text-sm">
      <div>
        <p className={item.doneAt ? "line-through text-muted-foreground" : "font-medium"}>{item.title}</p>
        <p className="text-xs text-muted-foreground">
          {item.ownerName}
          {item.dueAt ? ` · due ${item.dueAt.slice(0, 10)}` : ""}
          {item.doneAt ? ` · done ${item.doneAt.slice(0, 16).replace("T", " ")} UTC` : ""}
        </p>
      </div>
      {editable && !item.doneAt ? (
        <Button
          size="sm"
          variant="secondary"
          disabled={complete.pending}
          onClick={() => complete.execute({ incidentId, itemId: item.id }, { success: "Marked done." })}
          aria-label={`Mark “${item.title}” done`}
        >
          Mark done
        </Button>
      ) : null}
    </li>
  );
}

function ActionItemForm({
  incidentId,
  responders,
}: {
  incidentId: string;
  responders: { id: string; name: string }[];
}) {
  const [title, setTitle] = useState("");
  const [ownerId, setOwnerId] = useState("");
  const [dueAt, setDueAt] = useState("");
  const add = useAction(addActionItemAction, { schema: actionItemSchema });
  const { fieldErrors } = add;
  return (
    <form
      id={add.formId}
      noValidate
      aria-label="Add an action item"
      className="mt-3 grid items-end gap-3 sm:grid-cols-[1fr_12rem_10rem_auto]"
      onSubmit={(e) => {
        e.preventDefault();
        add.execute(
          { incidentId, title, ownerId, dueAt },
          {
            success: "Action item added.",
            onSuccess: () => {
              setTitle("");
              setDueAt("");
            },
          },
        );
      }}
    >
      <Field id="actionTitle" label="Action item" errors={fieldErrors.title}>
        <Input
          {...describedBy("actionTitle", fieldErrors.title, { hint: false })}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </Field>
      <Field id="actionOwner" label="Owner" errors={fieldErrors.ownerId}>
        <Select
          {...describedBy("actionOwner", fieldErrors.ownerId, { hint: false })}
          value={ownerId}
          onChange={(e) => setOwnerId(e.target.value)}
        >
          <option value="">Choose…</option>
          {responders.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="actionDue" label="Due (optional)" errors={fieldErrors.dueAt}>
        <Input
          {...describedBy("actionDue", fieldErrors.dueAt, { hint: false })}
          type="date"
          value={dueAt}
          onChange={(e) => setDueAt(e.target.value)}
        />
      </Field>
      <Button type="submit" disabled={add.pending}>
        Add
      </Button>
    </form>
  );
}
