"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { addActionItem, completeActionItem, savePostmortem } from "@/lib/incidents/postmortem";
import { actionItemSchema, completeActionItemSchema, postmortemSchema } from "@/lib/schemas/incidents";

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
      // A due date is a day: the end of it, in UTC like every time Greenlight shows.
      dueAt: input.dueAt ? new Date(`${input.dueAt}T23:59:59Z`) : null,
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
