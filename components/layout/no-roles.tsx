import { EmptyState } from "@/components/ui/empty-state";

export function NoRoles() {
  return (
    <EmptyState title="You have no role in Greenlight yet">
      You are signed in, but nobody has given you a role. Ask an admin to add you as a viewer, or to the role you need.
    </EmptyState>
  );
}
