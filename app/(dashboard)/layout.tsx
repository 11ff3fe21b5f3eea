import type { ReactNode } from "react";
import { Sidebar } from "@/components/layout/sidebar";
import { UserMenu } from "@/components/layout/user-menu";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import { waitingForMe } from "@/lib/approvals/queries";
import { requireUser } from "@/lib/auth/require-user";
import { can } from "@/lib/rbac";
import { ROLE_LABELS } from "@/lib/roles";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const showAdmin = can(user, "people:manage");
  const waiting = can(user, "release:sign") ? (await waitingForMe(user)).length : null;
  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-card focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <Sidebar showAdmin={showAdmin} waiting={waiting} />
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-end gap-2 border-b border-border bg-card px-6">
          <ThemeToggle />
          <UserMenu name={user.name} email={user.email} roles={user.roles.map((r) => ROLE_LABELS[r])} />
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">
          {children}
        </main>
      </div>
    </div>
  );
}
