"use client";

import { X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { assignRoleAction, removeRoleAction } from "@/lib/actions/people/change-role";
import { ALL_ROLES, ROLE_LABELS, type Role } from "@/lib/roles";

export function RoleEditor({ userId, name, roles }: { userId: string; name: string; roles: Role[] }) {
  const router = useRouter();
  const missing = ALL_ROLES.filter((r) => !roles.includes(r));
  const [role, setRole] = useState<Role | "">(missing[0] ?? "");
  const assign = useAction(assignRoleAction);
  const remove = useAction(removeRoleAction);
  const pending = assign.pending || remove.pending;

  return (
    <div className="flex flex-wrap items-center gap-2">
      {roles.length === 0 ? <span className="text-sm text-muted-foreground">No role</span> : null}
      {roles.map((r) => (
        <Badge key={r} tone="info" className="gap-1 pr-1">
          {ROLE_LABELS[r]}
          <button
            type="button"
            className="rounded-full p-0.5 hover:bg-black/10 disabled:opacity-50"
            aria-label={`Remove ${ROLE_LABELS[r]} from ${name}`}
            disabled={pending}
            onClick={() => {
              if (!window.confirm(`Remove ${ROLE_LABELS[r]} from ${name}?`)) return;
              remove.execute({ userId, role: r }, { success: (d) => d.message, onSuccess: () => router.refresh() });
            }}
          >
            <X className="size-3" />
          </button>
        </Badge>
      ))}
      {missing.length > 0 ? (
        <form
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (role) assign.execute({ userId, role }, { success: (d) => d.message, onSuccess: () => router.refresh() });
          }}
        >
          <Select className="h-8 w-48" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label={`Role to give ${name}`}>
            {missing.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
          <Button type="submit" size="sm" variant="secondary" disabled={pending}>
            Add role
          </Button>
        </form>
      ) : null}
    </div>
  );
}
