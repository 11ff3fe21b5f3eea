"use client";

import { Activity, History, Inbox, LayoutDashboard, Package, Rocket, Server, Shield } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/cn";

const ITEMS = [
  { href: "/", label: "Overview", icon: LayoutDashboard },
  { href: "/services", label: "Services", icon: Server },
  { href: "/releases", label: "Releases", icon: Package },
  { href: "/deployments", label: "Deployments", icon: Rocket },
  { href: "/incidents", label: "Incidents", icon: Activity },
  { href: "/history", label: "History", icon: History },
];

export function Sidebar({ showAdmin, waiting }: { showAdmin: boolean; waiting: number | null }) {
  const pathname = usePathname();
  const items = [
    ...ITEMS.slice(0, 4),
    ...(waiting !== null ? [{ href: "/waiting", label: "Waiting for me", icon: Inbox }] : []),
    ...ITEMS.slice(4),
    ...(showAdmin ? [{ href: "/admin", label: "Admin", icon: Shield }] : []),
  ];
  return (
    <aside className="hidden w-56 shrink-0 border-r border-border bg-card md:block">
      <div className="flex h-14 items-center gap-2 border-b border-border px-5 font-semibold">
        <span
          className="flex size-6 items-center justify-center rounded-full bg-primary text-xs text-primary-foreground"
          aria-hidden
        >
          ✓
        </span>
        Greenlight
      </div>
      <nav aria-label="Main" className="space-y-1 p-3">
        {items.map(({ href, label, icon: Icon }) => {
          const active = href === "/" ? pathname === "/" : pathname.startsWith(href);
          return (
            <Link
              key={href}
              href={href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm text-muted-foreground hover:bg-muted hover:text-foreground",
                active && "bg-accent font-medium text-foreground",
              )}
            >
              <Icon className="size-4" aria-hidden />
              {label}
              {href === "/waiting" && waiting ? (
                <span
                  className="ml-auto rounded-full bg-primary px-2 text-xs font-medium text-primary-foreground"
                  data-testid="waiting-count"
                  aria-label={`${waiting} waiting`}
                >
                  {waiting}
                </span>
              ) : null}
            </Link>
          );
        })}
      </nav>
    </aside>
  );
}
