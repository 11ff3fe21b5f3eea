import type { Metadata } from "next";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { GateChanges } from "@/components/admin/gate-changes";
import { RoleEditor } from "@/components/admin/role-editor";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requirePermission } from "@/lib/auth/require-user";
import { gateChangesFor } from "@/lib/gate-changes/queries";
import { listPeople } from "@/lib/people/queries";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const user = await requirePermission("people:manage");
  const [people, gateChanges] = await Promise.all([listPeople(), gateChangesFor({ kinds: ["ROLE_GRANT"] }, user)]);
  return (
    <>
      <PageHeader title="Admin" description="Who may do what. Every change is written to the audit log." />
      <AdminTabs current="people" />
      <div className="mb-6">
        <GateChanges view={gateChanges} title="Role grants waiting for a second admin" />
      </div>
      <Card>
        <Table>
          <thead>
            <tr>
              <Th>Person</Th>
              <Th>Roles</Th>
              <Th>Last sign-in</Th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.id} data-testid={`person-${p.email}`}>
                <Td>
                  <p className="font-medium">{p.name}</p>
                  <p className="text-xs text-muted-foreground">{p.email}</p>
                </Td>
                <Td>
                  <RoleEditor userId={p.id} name={p.name} roles={p.roles.map((r) => r.role)} self={p.id === user.id} />
                </Td>
                <Td className="text-muted-foreground">
                  {p.lastSignInAt ? <Timestamp value={p.lastSignInAt} /> : "never"}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </>
  );
}
