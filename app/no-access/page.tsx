import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { getCurrentUser } from "@/lib/auth/current-user";
import { can } from "@/lib/rbac";

export const metadata: Metadata = { title: "No access yet" };
export const dynamic = "force-dynamic";

export default async function NoAccessPage() {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in");
  if (can(user, "dashboard:read")) redirect("/");
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md space-y-4 text-center">
        <h1 className="text-xl font-semibold">You have no role in Greenlight yet</h1>
        <p className="text-sm text-muted-foreground">
          You are signed in as {user.email}, but nobody has given you a role. Ask an admin to add you as a viewer, or to
          the role you need; then reload this page.
        </p>
        <SignOutButton />
      </div>
    </main>
  );
}
