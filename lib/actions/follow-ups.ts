"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { tickFollowUp } from "@/lib/follow-ups/tick";
import { tickFollowUpSchema } from "@/lib/schemas/follow-ups";

const tick = authorizedAction(
  { name: "follow_up.tick", schema: tickFollowUpSchema, permission: "followup:tick", verb: "tick follow-ups" },
  async (input, user) => {
    const { releaseId } = await tickFollowUp(user, input);
    revalidatePath(`/releases/${releaseId}`);
    revalidatePath("/waiting");
    return {};
  },
);

export async function tickFollowUpAction(input: z.input<typeof tickFollowUpSchema>) {
  return tick(input);
}
