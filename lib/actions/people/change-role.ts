"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { assignRole, removeRole } from "@/lib/people/roles";
import { ROLE_LABELS } from "@/lib/roles";
import { roleChangeSchema } from "@/lib/schemas/people";

const assign = authorizedAction(
  { name: "role.assign", schema: roleChangeSchema, permission: "people:manage", verb: "change roles" },
  async ({ userId, role }, user) => {
    const { person, pending } = await assignRole(user, userId, role);
    revalidatePath("/admin");
    return {
      message: pending
        ? `Asked: ${pending.summary}. It takes effect when another admin confirms it.`
        : `${person.name} is now ${ROLE_LABELS[role]}.`,
    };
  },
);

const remove = authorizedAction(
  { name: "role.remove", schema: roleChangeSchema, permission: "people:manage", verb: "change roles" },
  async ({ userId, role }, user) => {
    const person = await removeRole(user, userId, role);
    revalidatePath("/admin");
    return { message: `${person.name} no longer holds ${ROLE_LABELS[role]}.` };
  },
);

export async function assignRoleAction(input: z.input<typeof roleChangeSchema>) {
  return assign(input);
}

export async function removeRoleAction(input: z.input<typeof roleChangeSchema>) {
  return remove(input);
}
