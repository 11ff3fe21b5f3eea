import { getServerSession } from "next-auth";
import { cache } from "react";
import { getAuthOptions } from "@/lib/auth/options";
import { db } from "@/lib/db";
import type { Permission } from "@/lib/rbac";
import type { Role } from "@/lib/roles";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  /** Only for a caller with an API token: its scopes, which `can()` intersects with the roles. */
  scopes?: readonly Permission[];
}

/** Loads a person and their roles from the database, so a role change applies at once. */
export async function loadUser(id: string): Promise<CurrentUser | null> {
  const user = await db.user.findUnique({ where: { id }, include: { roles: true } });
  if (!user || user.disabledAt) return null;
  return { id: user.id, email: user.email, name: user.name, roles: user.roles.map((r) => r.role).sort() };
}

/** The signed-in person for this request, or null. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(getAuthOptions());
  const id = session?.user?.id;
  return id ? loadUser(id) : null;
});
