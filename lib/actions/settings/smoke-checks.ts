"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { addSmokeCheck, removeSmokeCheck } from "@/lib/deploy/smoke/settings";
import { removeSmokeCheckSchema, smokeCheckSchema } from "@/lib/schemas/smoke-checks";

const base = { permission: "settings:manage" as const, verb: "change a service's smoke checks" };

const add = authorizedAction({ ...base, name: "smoke_check.add", schema: smokeCheckSchema }, async (input, user) => {
  await addSmokeCheck(user, input);
  revalidatePath("/admin/services");
  return {};
});
const remove = authorizedAction(
  { ...base, name: "smoke_check.remove", schema: removeSmokeCheckSchema },
  async (input, user) => {
    await removeSmokeCheck(user, input.checkId);
    revalidatePath("/admin/services");
    return {};
  },
);

export async function addSmokeCheckAction(input: z.input<typeof smokeCheckSchema>) {
  return add(input);
}
export async function removeSmokeCheckAction(input: z.input<typeof removeSmokeCheckSchema>) {
  return remove(input);
}
