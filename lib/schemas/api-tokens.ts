import { z } from "zod";
import { PERMISSIONS, type Permission } from "@/lib/rbac";
import { id, plainText } from "@/lib/schemas/common";

const permissionNames = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];

export const API_TOKEN_KINDS = ["PERSONAL", "SERVICE"] as const;

export const createApiTokenSchema = z.object({
  name: plainText({ label: "Token name", min: 3, max: 80 }),
  kind: z.enum(API_TOKEN_KINDS, { error: "Choose a personal or a service token." }).default("PERSONAL"),
  scopes: z
    .array(z.enum(permissionNames, { error: "Not a permission of Greenlight's." }), {
      error: "Choose what the token may do.",
    })
    .min(1, "Choose at least one permission for the token.")
    .max(permissionNames.length, "Each permission once."),
  // Empty: every environment.
  environmentIds: z.array(id, { error: "Choose environments from the list." }).max(50, "At most 50 environments."),
  expiresInDays: z
    .number({ error: "Expiry must be a number of days." })
    .int("Expiry must be a whole number of days.")
    .min(1, "A token must last at least 1 day.")
    .max(365, "A token can last at most 365 days; make a new one when it expires."),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

export const revokeApiTokenSchema = z.object({ tokenId: id });
