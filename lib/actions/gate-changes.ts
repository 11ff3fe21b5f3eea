"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { confirmGateChange, declineGateChange } from "@/lib/gate-changes/decide";
import { gateChangeDecisionSchema } from "@/lib/schemas/gate-changes";

// A confirmed change can land on the admin pages or on a release (an override).
const done = () => revalidatePath("/", "layout");

const confirm = authorizedAction(
  {
    name: "gate_change.confirm",
    schema: gateChangeDecisionSchema,
    permission: "gate:confirm",
    verb: "confirm a change to the gate",
  },
  async ({ changeId }, user) => {
    const change = await confirmGateChange(user, changeId);
    done();
    return { message: `Confirmed: ${change.summary}.` };
  },
);

const decline = authorizedAction(
  {
    name: "gate_change.decline",
    schema: gateChangeDecisionSchema,
    permission: "gate:confirm",
    verb: "decline a change to the gate",
  },
  async ({ changeId }, user) => {
    const change = await declineGateChange(user, changeId);
    done();
    return { message: `Declined: ${change.summary}.` };
  },
);

export async function confirmGateChangeAction(input: z.input<typeof gateChangeDecisionSchema>) {
  return confirm(input);
}

export async function declineGateChangeAction(input: z.input<typeof gateChangeDecisionSchema>) {
  return decline(input);
}
