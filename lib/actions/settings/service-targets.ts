"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { serviceTargetSettingsSchema } from "@/lib/schemas/service-targets";
import { updateServiceTarget } from "@/lib/settings/service-targets";

const update = authorizedAction(
  {
    permission: "settings:manage",
    verb: "change service settings",
    name: "service_target.update",
    schema: serviceTargetSettingsSchema,
  },
  async (input, user) => {
    const { changed, serviceName } = await updateServiceTarget(user, input);
    revalidatePath("/admin/services");
    // The service page's charts and SLO status read the selector and metric names.
    if (changed.length > 0) revalidatePath(`/services/${serviceName}`);
    return { changed: changed.length };
  },
);

export async function updateServiceTargetAction(input: z.input<typeof serviceTargetSettingsSchema>) {
  return update(input);
}
