import Link from "next/link";
import { cn } from "@/lib/cn";

export function AdminTabs({ current }: { current: "people" | "environments" | "services" | "tokens" | "audit" }) {
  const tabs = [
    { id: "people", href: "/admin", label: "People and roles" },
    { id: "environments", href: "/admin/environments", label: "Environments" },
    { id: "services", href: "/admin/services", label: "Services" },
    { id: "tokens", href: "/admin/tokens", label: "API tokens" },
    { id: "audit", href: "/admin/audit", label: "Audit log" },
  ] as const;
  return (
    <nav aria-label="Admin" className="mb-6 flex gap-1 border-b border-border">
      {tabs.map((t) => (
        <Link
          key={t.id}
          href={t.href}
          aria-current={current === t.id ? "page" : undefined}
          className={cn(
            "-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted-foreground hover:text-foreground",
            current === t.id && "border-primary font-medium text-foreground",
          )}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
