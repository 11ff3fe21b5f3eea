"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { tickChecklistItem } from "@/lib/approvals/checklist";
import { overrideGate } from "@/lib/approvals/overrides";
import { signRelease, withdrawSignOff } from "@/lib/approvals/sign";
import { overrideSchema, signSchema, tickSchema, withdrawSchema } from "@/lib/schemas/approvals";

const sign = authorizedAction(
  { name: "release.sign", schema: signSchema, permission: "release:sign", verb: "sign a release" },
  async (input, user) => {
    await signRelease(user, input);
    revalidatePath(`/releases/${input.releaseId}`);
    revalidatePath("/waiting");
    return { decision: input.decision };
  },
);

const withdraw = authorizedAction(
  { name: "release.withdraw", schema: withdrawSchema, permission: "release:sign", verb: "withdraw a sign-off" },
  async (input, user) => {
    await withdrawSignOff(user, input);
    revalidatePath(`/releases/${input.releaseId}`);
    return {};
  },
);

const tick = authorizedAction(
  { name: "checklist.tick", schema: tickSchema, permission: "checklist:tick", verb: "tick checklist items" },
  async (input, user) => {
    await tickChecklistItem(user, input);
    revalidatePath(`/releases/${input.releaseId}`);
    return { checked: input.checked };
  },
);

const override = authorizedAction(
  { name: "gate.override", schema: overrideSchema, permission: "gate:override", verb: "override the release gate" },
  async (input, user) => {
    const { pending } = await overrideGate(user, input);
    revalidatePath(`/releases/${input.releaseId}`);
    return { message: `Asked: ${pending.summary}. It takes effect when another admin confirms it.` };
  },
);

export async function signReleaseAction(input: z.input<typeof signSchema>) {
  return sign(input);
}
export async function withdrawSignOffAction(input: z.input<typeof withdrawSchema>) {
  return withdraw(input);
}
export async function tickChecklistAction(input: z.input<typeof tickSchema>) {
  return tick(input);
}
export async function overrideGateAction(input: z.input<typeof overrideSchema>) {
  return override(input);
}
