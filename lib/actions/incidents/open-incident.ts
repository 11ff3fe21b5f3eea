"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { openIncident } from "@/lib/incidents/open-incident";
import { openIncidentSchema } from "@/lib/schemas/incidents";

const open = authorizedAction(
  { name: "incident.open", schema: openIncidentSchema, permission: "incident:manage", verb: "declare an incident" },
  async (input, user) => {
    const incident = await openIncident(user, input);
    revalidatePath("/incidents");
    revalidatePath("/");
    return { id: incident.id, number: incident.number };
  },
);

export async function openIncidentAction(input: z.input<typeof openIncidentSchema>) {
  return open(input);
}
