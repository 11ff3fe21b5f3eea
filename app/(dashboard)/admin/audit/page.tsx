import type { Metadata } from "next";
import { z } from "zod";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requirePermission } from "@/lib/auth/require-user";
import { auditLogPage } from "@/lib/audit/queries";

export const metadata: Metadata = { title: "Audit log" };

const query = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1) });

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  await requirePermission("audit:read");
  const { page } = query.parse(await searchParams);
  const { entries, pageCount } = await auditLogPage(page);
  return (
    <>
      <PageHeader
        title="Admin"
        description="The audit log is append-only: the database refuses to change or delete an entry."
      />
      <AdminTabs current="audit" />
      <Card>
        <Table>
          <thead>
            <tr>
              <Th>When</Th>
              <Th>Who</Th>
              <Th>Action</Th>
              <Th>Target</Th>
              <Th>Change</Th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={String(e.id)}>
                <Td className="whitespace-nowrap text-muted-foreground">
                  <Timestamp value={e.at} />
                </Td>
                <Td>{e.actorLabel}</Td>
                <Td className="font-mono text-xs">{e.action}</Td>
                <Td className="font-mono text-xs">
                  {e.targetType}/{e.targetId}
                </Td>
                <Td>
                  <details>
                    <summary className="cursor-pointer text-xs text-primary">details</summary>
                    <pre className="mt-2 max-w-md overflow-x-auto rounded bg-muted p-2 text-xs">
                      {JSON.stringify({ before: e.before, after: e.after, metadata: e.metadata }, null, 2)}
                    </pre>
                  </details>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
        <Pagination page={page} pageCount={pageCount} href={(p) => `/admin/audit${p > 1 ? `?page=${p}` : ""}`} />
      </Card>
    </>
  );
}
