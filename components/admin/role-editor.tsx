"use client";

import { X } from "lucide-react";
import { useRef, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Select } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { useHydrated } from "@/components/use-hydrated";
import { assignRoleAction, removeRoleAction } from "@/lib/actions/people/change-role";
import { ALL_ROLES, ROLE_LABELS, type Role } from "@/lib/roles";
import { roleChangeSchema } from "@/lib/schemas/people";

/** `self`: the signed-in admin's own row, where roles can be removed but never added (another admin grants them). */
export function RoleEditor({
  userId,
  name,
  roles,
  self = false,
}: {
  userId: string;
  name: string;
  roles: Role[];
  self?: boolean;
}) {
  const missing = ALL_ROLES.filter((r) => !roles.includes(r));
  const [role, setRole] = useState<Role | "">(missing[0] ?? "");
  const assign = useAction(assignRoleAction, { schema: roleChangeSchema });
  const remove = useAction(removeRoleAction);
  const pending = assign.pending || remove.pending;
  const hydrated = useHydrated();
  const picker = useRef<HTMLSelectElement>(null);
  const errorId = `role-error-${userId}`;

  return (
    <div className="flex flex-wrap items-center gap-2">
      {roles.length === 0 ? <span className="text-sm text-muted-foreground">No role</span> : null}
      {roles.map((r) => (
        <Badge key={r} tone="info" className="gap-1 pr-1">
          {ROLE_LABELS[r]}
          <ConfirmDialog
            trigger={
              <button
                type="button"
                className="rounded-full p-0.5 hover:bg-black/10 disabled:opacity-50"
                aria-label={`Remove ${ROLE_LABELS[r]} from ${name}`}
                disabled={pending || !hydrated}
              >
                <X className="size-3" />
              </button>
            }
            title={`Remove ${ROLE_LABELS[r]} from ${name}?`}
            description="The change applies at once, and goes into the audit log."
            confirm={`Remove ${ROLE_LABELS[r]}`}
            // The badge and its button go away; the role picker of the same person is where to carry on.
            onConfirm={() =>
              remove.execute(
                { userId, role: r },
                { success: (d) => d.message, onSuccess: () => picker.current?.focus() },
              )
            }
          />
        </Badge>
      ))}
      {self ? (
        <span className="text-xs text-muted-foreground">Another admin grants your roles.</span>
      ) : missing.length > 0 ? (
        <form
          id={assign.formId}
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (role) assign.execute({ userId, role }, { success: (d) => d.message });
          }}
        >
          <Select
            ref={picker}
            className="h-8 w-48"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            aria-label={`Role to give ${name}`}
            aria-invalid={assign.fieldErrors.role ? true : undefined}
            aria-describedby={assign.fieldErrors.role ? errorId : undefined}
          >
            {missing.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
          <Button type="submit" size="sm" variant="secondary" disabled={pending}>
            Add role
          </Button>
          {assign.fieldErrors.role ? (
            <p id={errorId} role="alert" className="text-xs text-destructive">
              {assign.fieldErrors.role.join(" ")}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
