import { notFound, redirect } from "next/navigation";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/current-user";
import { can, type Permission } from "@/lib/rbac";

/**
 * For pages: the signed-in person who holds at least one role. Without a session: the sign-in
 * page; without any role: a page that says so. Pages render beside their layout, so every page
 * asks this itself rather than relying on the layout.
 */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  if (!can(user, "dashboard:read")) redirect("/no-access");
  return user;
}

/** For pages behind a permission: people without it get a 404, as if the page did not exist. */
export async function requirePermission(permission: Permission): Promise<CurrentUser> {
  const user = await requireUser();
  if (!can(user, permission)) notFound();
  return user;
}
