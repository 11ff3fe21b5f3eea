import { z } from "zod";
import { ALL_ROLES } from "@/lib/roles";
import { id } from "@/lib/schemas/common";

export const roleChangeSchema = z.object({
  userId: id,
  role: z.enum(ALL_ROLES, { error: "Choose a role." }),
});
