"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { controlCanary, requestRollback } from "@/lib/deploy/commands/requests";
import { canaryControlSchema, rollbackSchema } from "@/lib/schemas/runs";

const rollback = authorizedAction(
  { name: "service.rollback", schema: rollbackSchema, permission: "service:rollback", verb: "roll back" },
  async (input, user) => {
    const run = await requestRollback(user, input);
    return { runId: run.id };
  },
);

const control = authorizedAction(
  { name: "run.control", schema: canaryControlSchema, permission: "run:control", verb: "promote or abort a canary" },
  async (input, user) => {
    const run = await controlCanary(user, input);
    if (run.releaseId) revalidatePath(`/releases/${run.releaseId}`);
    return { runId: run.id };
  },
);

export async function rollbackServiceAction(input: z.input<typeof rollbackSchema>) {
  return rollback(input);
}

export async function controlCanaryAction(input: z.input<typeof canaryControlSchema>) {
  return control(input);
}
