"use server";

import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { requestRollback } from "@/lib/deploy/commands/requests";
import { rollbackSchema } from "@/lib/schemas/runs";

const rollback = authorizedAction(
  { name: "service.rollback", schema: rollbackSchema, permission: "service:rollback", verb: "roll back" },
  async (input, user) => {
    const run = await requestRollback(user, input);
    return { runId: run.id };
  },
);

export async function rollbackServiceAction(input: z.input<typeof rollbackSchema>) {
  return rollback(input);
}
