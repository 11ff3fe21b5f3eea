"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { AppError } from "@/lib/errors";
import { addActionItem, completeActionItem, savePostmortem } from "@/lib/incidents/postmortem";
import { actionItemSchema, completeActionItemSchema, postmortemSchema } from "@/lib/schemas/incidents";

/**
 * A due date is a day: the end of it, in UTC like every time Greenlight shows. The schema checks
 * the shape only; 2031-02-30 would roll over into March and 2031-13-01 is no date at all.
 */
function dueDay(day: string): Date {
  const at = new Date(`${day}T23:59:59Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day)
    throw new AppError("INVALID", `${day} is not a date in the calendar.`, {
      dueAt: ["Enter a real date as YYYY-MM-DD."],
    });
  return at;
}

const save = authorizedAction(
  { name: "incident.postmortem", schema: postmortemSchema, permission: "incident:manage", verb: "write a postmortem" },
  async (input, user) => {
    await savePostmortem(user, input);
    revalidatePath(`/incidents/${input.incidentId}`);
    return { saved: true };
  },
);

const addItem = authorizedAction(
  {
    name: "incident.action_item.add",
    schema: actionItemSchema,
    permission: "incident:manage",
    verb: "add a postmortem action item",
  },
  async (input, user) => {
    const item = await addActionItem(user, {
      incidentId: input.incidentId,
      title: input.title,
      ownerId: input.ownerId,
      dueAt: input.dueAt ? dueDay(input.dueAt) : null,
    });
    revalidatePath(`/incidents/${input.incidentId}`);
    return { id: item.id };
  },
);

const complete = authorizedAction(
  {
    name: "incident.action_item.done",
    schema: completeActionItemSchema,
    permission: "incident:manage",
    verb: "complete a postmortem action item",
  },
  async (input, user) => {
    await completeActionItem(user, { itemId: input.itemId, incidentId: input.incidentId });
    revalidatePath(`/incidents/${input.incidentId}`);
    return { id: input.itemId };
  },
);

export async function savePostmortemAction(input: z.input<typeof postmortemSchema>) {
  return save(input);
}
export async function addActionItemAction(input: z.input<typeof actionItemSchema>) {
  return addItem(input);
}
export async function completeActionItemAction(input: z.input<typeof completeActionItemSchema>) {
  return complete(input);
}
