"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { controlCanary } from "@/lib/deploy/commands/requests";
import { CANARY_CONTROLS, type CanaryControl } from "@/lib/rbac";
import { canaryControlSchema } from "@/lib/schemas/runs";

// One action per control: promoting is a deploy decision (release:deploy), aborting is on-call's
// (run:control). controlCanary checks the same table again.
function canaryAction(action: CanaryControl) {
  return authorizedAction(
    { name: `run.${action}`, schema: canaryControlSchema, ...CANARY_CONTROLS[action] },
    async (input, user) => {
      const run = await controlCanary(user, { runId: input.runId, action });
      if (run.releaseId) revalidatePath(`/releases/${run.releaseId}`);
      return { runId: run.id };
    },
  );
}

const promote = canaryAction("promote");
const abort = canaryAction("abort");

export async function promoteCanaryAction(input: z.input<typeof canaryControlSchema>) {
  return promote(input);
}

export async function abortCanaryAction(input: z.input<typeof canaryControlSchema>) {
  return abort(input);
}
