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

const update = authorizedAction(
  { ...base, name: "environment.update", schema: environmentSettingsSchema },
  async (input, user) => {
    await updateEnvironmentSettings(user, input);
    done();
    return {};
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
    await removeChecklistItem(user, input.itemId);
    done();
    return {};
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
    await removeFreezeWindow(user, input.freezeId);
    done();
    return {};
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
