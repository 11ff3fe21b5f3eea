"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { createRelease } from "@/lib/releases/create-release";
import { createReleaseSchema } from "@/lib/schemas/release";

const run = authorizedAction(
  { name: "release.create", schema: createReleaseSchema, permission: "release:create", verb: "create a release" },
  async (input, user) => {
    const release = await createRelease(user, input);
    revalidatePath("/releases");
    revalidatePath("/");
    return { id: release.id, number: release.number };
  },
);

export async function createReleaseAction(input: z.input<typeof createReleaseSchema>) {
  return run(input);
}
