"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { updateRelease } from "@/lib/releases/update-release";
import { updateReleaseSchema } from "@/lib/schemas/release";

const run = authorizedAction(
  { name: "release.update", schema: updateReleaseSchema, permission: "release:edit", verb: "edit a release" },
  async (input, user) => {
    const { release, changes } = await updateRelease(user, input);
    revalidatePath("/releases");
    revalidatePath(`/releases/${release.id}`);
    return { id: release.id, revision: release.revision, changes };
  },
);

export async function updateReleaseAction(input: z.input<typeof updateReleaseSchema>) {
  return run(input);
}
