"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { addFollowUpTemplateItem, removeFollowUpTemplateItem, setFollowUpTimeZone } from "@/lib/follow-ups/template";
import {
  followUpTemplateItemSchema,
  followUpTimeZoneSchema,
  removeFollowUpTemplateItemSchema,
} from "@/lib/schemas/follow-ups";

const base = { permission: "settings:manage" as const, verb: "change environment settings" };
const done = () => revalidatePath("/admin/environments");

const add = authorizedAction(
  { ...base, name: "follow_up_template.add", schema: followUpTemplateItemSchema },
  async (input, user) => {
    await addFollowUpTemplateItem(user, input);
    done();
    return {};
  },
);
const remove = authorizedAction(
  { ...base, name: "follow_up_template.remove", schema: removeFollowUpTemplateItemSchema },
  async (input, user) => {
    await removeFollowUpTemplateItem(user, input.itemId);
    done();
    return {};
  },
);
const timeZone = authorizedAction(
  { ...base, name: "follow_up_template.time_zone", schema: followUpTimeZoneSchema },
  async (input, user) => {
    await setFollowUpTimeZone(user, input);
    done();
    return {};
  },
);

export async function addFollowUpTemplateItemAction(input: z.input<typeof followUpTemplateItemSchema>) {
  return add(input);
}
export async function removeFollowUpTemplateItemAction(input: z.input<typeof removeFollowUpTemplateItemSchema>) {
  return remove(input);
}
export async function setFollowUpTimeZoneAction(input: z.input<typeof followUpTimeZoneSchema>) {
  return timeZone(input);
}
