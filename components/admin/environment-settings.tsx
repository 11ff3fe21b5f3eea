"use client";

import { Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import {
  addChecklistItemAction,
  addFreezeWindowAction,
  removeChecklistItemAction,
  removeFreezeWindowAction,
  updateEnvironmentAction,
} from "@/lib/actions/settings/environments";
import { checklistItemSchema, environmentSettingsSchema, freezeWindowSchema } from "@/lib/schemas/settings";

export interface EnvironmentView {
  id: string;
  name: string;
  displayName: string;
  requiresApproval: boolean;
  authorMaySign: boolean;
  approvalTtlHours: number;
  errorBudgetGate: boolean;
  checklist: { id: string; label: string; required: boolean; evidenceRequired: boolean }[];
  freezes: { id: string; summary: string }[];
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** `prometheusConfigured`: without it the error-budget gate reads every budget as unknown and never blocks. */
export function EnvironmentSettings({
  environment,
  prometheusConfigured,
}: {
  environment: EnvironmentView;
  prometheusConfigured: boolean;
}) {
  const update = useAction(updateEnvironmentAction, { schema: environmentSettingsSchema });
  const addItem = useAction(addChecklistItemAction, { schema: checklistItemSchema });
  const removeItem = useAction(removeChecklistItemAction);
  const addFreeze = useAction(addFreezeWindowAction, { schema: freezeWindowSchema });
  const removeFreeze = useAction(removeFreezeWindowAction);
  const stored = {
    requiresApproval: environment.requiresApproval,
    authorMaySign: environment.authorMaySign,
    approvalTtlHours: environment.approvalTtlHours,
    errorBudgetGate: environment.errorBudgetGate,
  };
  const [settings, setSettings] = useState(stored);
  const [label, setLabel] = useState("");
  const [required, setRequired] = useState(true);
  const [evidenceRequired, setEvidenceRequired] = useState(false);
  const [freeze, setFreeze] = useState({
    reason: "",
    recurrence: "NONE" as "NONE" | "DAILY" | "WEEKLY",
    startsAt: "",
    endsAt: "",
    localStartTime: "22:00",
    durationMinutes: 480,
    weekdays: [] as number[],
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  const id = (s: string) => `${environment.name}-${s}`;
  // The freeze form's controls share one error line.
  const freezeInvalid = (field: string) =>
    addFreeze.fieldErrors[field] ? { "aria-invalid": true, "aria-describedby": id("freeze-error") } : {};

  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <form
        id={update.formId}
        className="space-y-3"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          update.execute(
            { environmentId: environment.id, ...settings },
            {
              success: (r) => (r.pending ? r.message : `${environment.displayName} saved.`),
              // A weakening change waits for a second admin: the form shows what is in force meanwhile.
              onSuccess: (r) => {
                if (r.pending) setSettings(stored);
              },
            },
          );
        }}
      >
        <h3 className="font-medium">Deploy policy</h3>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={settings.requiresApproval}
            onChange={(e) => setSettings({ ...settings, requiresApproval: e.target.checked })}
          />{" "}
          Requires the six sign-offs
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={settings.authorMaySign}
            onChange={(e) => setSettings({ ...settings, authorMaySign: e.target.checked })}
          />{" "}
          The release&apos;s author may sign it
        </label>
        <Field id={id("ttl")} label="Sign-offs expire after (hours)" errors={update.fieldErrors.approvalTtlHours}>
          <Input
            {...describedBy(id("ttl"), update.fieldErrors.approvalTtlHours, { hint: false })}
            type="number"
            min={1}
            max={2160}
            value={settings.approvalTtlHours}
            onChange={(e) => setSettings({ ...settings, approvalTtlHours: Number(e.target.value) })}
          />
        </Field>
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={settings.errorBudgetGate}
              onChange={(e) => setSettings({ ...settings, errorBudgetGate: e.target.checked })}
            />{" "}
            Block deploys while the error budget is exhausted
          </label>
          <p className="text-xs text-muted-foreground">
            {prometheusConfigured
              ? "Reads each service's 30-day availability from Prometheus. An admin can override one release with a reason; an unreadable budget never blocks."
              : "Prometheus is not configured (PROMETHEUS_URL), so budgets read as unknown and nothing is blocked."}
          </p>
        </div>
        <Button size="sm" type="submit" disabled={update.pending}>
          Save policy
        </Button>
      </form>

      <div className="space-y-3">
        <h3 className="font-medium">Checklist template</h3>
        {environment.checklist.length === 0 ? (
          <p className="text-sm text-muted-foreground">No checklist: releases here deploy without one.</p>
        ) : null}
        <ul className="space-y-1 text-sm">
          {environment.checklist.map((item) => (
            <li key={item.id} className="flex items-center justify-between gap-2">
              <span>
                {item.label}
                {!item.required ? <span className="text-muted-foreground"> (optional)</span> : null}
                {item.evidenceRequired ? <span className="text-muted-foreground"> (evidence required)</span> : null}
              </span>
              <Button
                size="icon"
                variant="ghost"
                aria-label={`Remove ${item.label}`}
                disabled={removeItem.pending}
                onClick={() => removeItem.execute({ itemId: item.id }, { success: (r) => r.message })}
              >
                <Trash2 />
              </Button>
            </li>
          ))}
        </ul>
        <form
          id={addItem.formId}
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            addItem.execute(
              { environmentId: environment.id, label, required, evidenceRequired },
              { success: "Item added; new releases get it.", onSuccess: () => setLabel("") },
            );
          }}
        >
          <Input
            {...describedBy(id("item"), addItem.fieldErrors.label, { hint: false })}
            aria-label="New checklist item"
            placeholder="New item, e.g. Feature flags reviewed"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Required before
            a deploy
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={evidenceRequired} onChange={(e) => setEvidenceRequired(e.target.checked)} />{" "}
            Ticked only with a link to its evidence
          </label>
          {addItem.fieldErrors.label ? (
            <p id={id("item-error")} className="text-xs text-destructive" role="alert">
              {addItem.fieldErrors.label.join(" ")}
            </p>
          ) : null}
          <Button size="sm" variant="secondary" type="submit" disabled={addItem.pending || label.trim().length < 3}>
            Add item
          </Button>
        </form>
      </div>

      <div className="space-y-3">
        <h3 className="font-medium">Freeze windows</h3>
        {environment.freezes.length === 0 ? <p className="text-sm text-muted-foreground">No freezes.</p> : null}
        <ul className="space-y-1 text-sm">
          {environment.freezes.map((f) => (
            <li key={f.id} className="flex items-center justify-between gap-2">
              <span>{f.summary}</span>
              <Button
                size="icon"
                variant="ghost"
                aria-label={`Remove freeze ${f.summary}`}
                disabled={removeFreeze.pending}
                onClick={() => removeFreeze.execute({ freezeId: f.id }, { success: (r) => r.message })}
              >
                <Trash2 />
              </Button>
            </li>
          ))}
        </ul>
        <form
          id={addFreeze.formId}
          className="space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            addFreeze.execute(
              {
                environmentId: environment.id,
                reason: freeze.reason,
                recurrence: freeze.recurrence,
                startsAt: freeze.startsAt ? new Date(freeze.startsAt).toISOString() : new Date().toISOString(),
                endsAt: freeze.endsAt ? new Date(freeze.endsAt).toISOString() : undefined,
                localStartTime: freeze.recurrence === "NONE" ? undefined : freeze.localStartTime,
                durationMinutes: freeze.recurrence === "NONE" ? undefined : freeze.durationMinutes,
                weekdays: freeze.weekdays,
                timeZone: freeze.timeZone,
              },
              { success: "Freeze added.", onSuccess: () => setFreeze({ ...freeze, reason: "" }) },
            );
          }}
        >
          <Input
            {...freezeInvalid("reason")}
            aria-label="Freeze reason"
            placeholder="Reason, e.g. Black Friday"
            value={freeze.reason}
            onChange={(e) => setFreeze({ ...freeze, reason: e.target.value })}
          />
          <Select
            {...freezeInvalid("recurrence")}
            aria-label="Recurrence"
            value={freeze.recurrence}
            onChange={(e) => setFreeze({ ...freeze, recurrence: e.target.value as typeof freeze.recurrence })}
          >
            <option value="NONE">One-off</option>
            <option value="DAILY">Every day</option>
            <option value="WEEKLY">Weekly</option>
          </Select>
          <label className="block text-xs text-muted-foreground">
            {freeze.recurrence === "NONE" ? "Starts" : "Applies from"}
            <Input
              {...freezeInvalid("startsAt")}
              type="datetime-local"
              value={freeze.startsAt}
              onChange={(e) => setFreeze({ ...freeze, startsAt: e.target.value })}
            />
          </label>
          {freeze.recurrence === "NONE" ? (
            <label className="block text-xs text-muted-foreground">
              Ends
              <Input
                {...freezeInvalid("endsAt")}
                type="datetime-local"
                value={freeze.endsAt}
                onChange={(e) => setFreeze({ ...freeze, endsAt: e.target.value })}
              />
            </label>
          ) : (
            <div className="grid grid-cols-2 gap-2">
              <label className="block text-xs text-muted-foreground">
                Local start
                <Input
                  {...freezeInvalid("localStartTime")}
                  type="time"
                  value={freeze.localStartTime}
                  onChange={(e) => setFreeze({ ...freeze, localStartTime: e.target.value })}
                />
              </label>
              <label className="block text-xs text-muted-foreground">
                Minutes
                <Input
                  {...freezeInvalid("durationMinutes")}
                  type="number"
                  min={1}
                  value={freeze.durationMinutes}
                  onChange={(e) => setFreeze({ ...freeze, durationMinutes: Number(e.target.value) })}
                />
              </label>
            </div>
          )}
          {freeze.recurrence === "WEEKLY" ? (
            <fieldset className="flex flex-wrap gap-2 text-xs">
              <legend className="sr-only">Weekdays</legend>
              {WEEKDAYS.map((d, i) => (
                <label key={d} className="flex items-center gap-1">
                  <input
                    {...freezeInvalid("weekdays")}
                    type="checkbox"
                    checked={freeze.weekdays.includes(i)}
                    onChange={(e) =>
                      setFreeze({
                        ...freeze,
                        weekdays: e.target.checked ? [...freeze.weekdays, i] : freeze.weekdays.filter((w) => w !== i),
                      })
                    }
                  />
                  {d}
                </label>
              ))}
            </fieldset>
          ) : null}
          <Input
            {...freezeInvalid("timeZone")}
            aria-label="Time zone"
            value={freeze.timeZone}
            onChange={(e) => setFreeze({ ...freeze, timeZone: e.target.value })}
          />
          {addFreeze.error ? (
            <p id={id("freeze-error")} className="text-xs text-destructive" role="alert">
              {Object.values(addFreeze.fieldErrors).flat().join(" ") || addFreeze.error.message}
            </p>
          ) : null}
          <Button
            size="sm"
            variant="secondary"
            type="submit"
            disabled={addFreeze.pending || freeze.reason.trim().length < 3}
          >
            Add freeze
          </Button>
        </form>
      </div>
    </div>
  );
}
