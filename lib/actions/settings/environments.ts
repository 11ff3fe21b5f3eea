"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import {
  addChecklistItem,
  addFreezeWindow,
  removeChecklistItem,
  removeFreezeWindow,
  updateEnvironmentSettings,
  type GateChangeOutcome,
} from "@/lib/settings/environments";
import {
  checklistItemSchema,
  environmentSettingsSchema,
  freezeWindowSchema,
  removeChecklistItemSchema,
  removeFreezeSchema,
} from "@/lib/schemas/settings";

const base = { permission: "settings:manage" as const, verb: "change environment settings" };
const done = () => revalidatePath("/admin/environments");
/** What the page says: done, or waiting for a second admin. */
const outcome = ({ pending }: GateChangeOutcome, done: string) => ({
  pending: pending !== null,
  message: pending ? `Asked: ${pending.summary}. It takes effect when another admin confirms it.` : done,
});

const update = authorizedAction(
  { ...base, name: "environment.update", schema: environmentSettingsSchema },
  async (input, user) => {
    const result = await updateEnvironmentSettings(user, input);
    done();
    return outcome(result, "Settings saved.");
  },
);
const addItem = authorizedAction(
  { ...base, name: "checklist_template.add", schema: checklistItemSchema },
  async (input, user) => {
    await addChecklistItem(user, input);
    done();
    return {};
  },
);
const removeItem = authorizedAction(
  { ...base, name: "checklist_template.remove", schema: removeChecklistItemSchema },
  async (input, user) => {
    const result = await removeChecklistItem(user, input.itemId);
    done();
    return outcome(result, "Checklist item removed.");
  },
);
const addFreeze = authorizedAction({ ...base, name: "freeze.add", schema: freezeWindowSchema }, async (input, user) => {
  await addFreezeWindow(user, input);
  done();
  return {};
});
const removeFreeze = authorizedAction(
  { ...base, name: "freeze.remove", schema: removeFreezeSchema },
  async (input, user) => {
    const result = await removeFreezeWindow(user, input.freezeId);
    done();
    return outcome(result, "Freeze window removed.");
  },
);

export async function updateEnvironmentAction(input: z.input<typeof environmentSettingsSchema>) {
  return update(input);
}
export async function addChecklistItemAction(input: z.input<typeof checklistItemSchema>) {
  return addItem(input);
}
export async function removeChecklistItemAction(input: z.input<typeof removeChecklistItemSchema>) {
  return removeItem(input);
}
export async function addFreezeWindowAction(input: z.input<typeof freezeWindowSchema>) {
  return addFreeze(input);
}
export async function removeFreezeWindowAction(input: z.input<typeof removeFreezeSchema>) {
  return removeFreeze(input);
}
