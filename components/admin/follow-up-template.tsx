"use client";

import { Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import {
  addFollowUpTemplateItemAction,
  removeFollowUpTemplateItemAction,
  setFollowUpTimeZoneAction,
} from "@/lib/actions/settings/follow-ups";
import { FOLLOW_UP_DUE_LABELS, FOLLOW_UP_DUES } from "@/lib/follow-ups/due";
import type { FollowUpDue } from "@/lib/generated/prisma/enums";
import { followUpTemplateItemSchema, followUpTimeZoneSchema } from "@/lib/schemas/follow-ups";

export interface FollowUpTemplateView {
  environmentId: string;
  environmentName: string;
  timeZone: string;
  items: { id: string; label: string; due: FollowUpDue }[];
}

/** An environment's post-deployment checklist: what comes due after each deploy, and when. */
export function FollowUpTemplate({ template }: { template: FollowUpTemplateView }) {
  const add = useAction(addFollowUpTemplateItemAction, { schema: followUpTemplateItemSchema });
  const remove = useAction(removeFollowUpTemplateItemAction);
  const zone = useAction(setFollowUpTimeZoneAction, { schema: followUpTimeZoneSchema });
  const [label, setLabel] = useState("");
  const [due, setDue] = useState<FollowUpDue>("FIRST_HOUR");
  const [timeZone, setTimeZone] = useState(template.timeZone);
  const id = (s: string) => `${template.environmentName}-follow-up-${s}`;

  return (
    <div className="space-y-3" data-testid={`follow-up-template-${template.environmentName}`}>
      <h3 className="font-medium">Follow-ups after a deploy</h3>
      <p className="text-sm text-muted-foreground">
        Each deploy that succeeds here gets these, due after the first hour, 4 hours, first day or first week; the
        release page lists them and overdue ones go to <em>Waiting for me</em> and Slack.
      </p>
      {template.items.length === 0 ? (
        <p className="text-sm text-muted-foreground">No follow-ups: deploys here end when they succeed.</p>
      ) : null}
      {FOLLOW_UP_DUES.map((bucket) => {
        const items = template.items.filter((i) => i.due === bucket);
        if (items.length === 0) return null;
        return (
          <div key={bucket} className="space-y-1">
            <h4 className="text-xs font-medium uppercase text-muted-foreground">{FOLLOW_UP_DUE_LABELS[bucket]}</h4>
            <ul className="space-y-1 text-sm">
              {items.map((item) => (
                <li key={item.id} className="flex items-center justify-between gap-2">
                  <span>{item.label}</span>
                  <Button
                    size="icon"
                    variant="ghost"
                    aria-label={`Remove follow-up ${item.label}`}
                    disabled={remove.pending}
                    onClick={() => remove.execute({ itemId: item.id }, { success: "Follow-up removed." })}
                  >
                    <Trash2 />
                  </Button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      <form
        id={add.formId}
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          add.execute(
            { environmentId: template.environmentId, label, due },
            { success: "Follow-up added; the next deploy gets it.", onSuccess: () => setLabel("") },
          );
        }}
      >
        <Input
          {...describedBy(id("label"), add.fieldErrors.label, { hint: false })}
          aria-label="New follow-up"
          placeholder="New follow-up, e.g. Conversion rate compared with last week"
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
        <Select aria-label="Due" value={due} onChange={(e) => setDue(e.target.value as FollowUpDue)}>
          {FOLLOW_UP_DUES.map((d) => (
            <option key={d} value={d}>
              {FOLLOW_UP_DUE_LABELS[d]}
            </option>
          ))}
        </Select>
        {add.fieldErrors.label ? (
          <p id={id("label-error")} className="text-xs text-destructive" role="alert">
            {add.fieldErrors.label.join(" ")}
          </p>
        ) : null}
        <Button size="sm" variant="secondary" type="submit" disabled={add.pending || label.trim().length < 3}>
          Add follow-up
        </Button>
      </form>
      <form
        id={zone.formId}
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          zone.execute(
            { environmentId: template.environmentId, timeZone: timeZone.trim() },
            { success: "Time zone saved; it applies to the next deploy." },
          );
        }}
      >
        <label htmlFor={id("zone")} className="block text-sm">
          Days and weeks are counted on the calendar of
        </label>
        <div className="flex gap-2">
          <Input
            {...describedBy(id("zone"), zone.fieldErrors.timeZone, { hint: false })}
            value={timeZone}
            placeholder="Europe/Berlin"
            onChange={(e) => setTimeZone(e.target.value)}
          />
          <Button
            size="sm"
            variant="secondary"
            type="submit"
            disabled={zone.pending || timeZone.trim() === template.timeZone}
          >
            Save zone
          </Button>
        </div>
        {zone.fieldErrors.timeZone ? (
          <p id={id("zone-error")} className="text-xs text-destructive" role="alert">
            {zone.fieldErrors.timeZone.join(" ")}
          </p>
        ) : null}
      </form>
    </div>
  );
}
