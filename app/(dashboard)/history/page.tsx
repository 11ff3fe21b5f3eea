import type { Metadata } from "next";
import Link from "next/link";
import { ReleaseStatusBadge, STATUS_LABELS } from "@/components/releases/release-status";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { db } from "@/lib/db";
import { shortImage } from "@/lib/releases/image-reference";

export const metadata: Metadata = { title: "History" };

const FINISHED = ["DEPLOYED", "FAILED", "ROLLED_BACK"] as const;

export default async function HistoryPage() {
  await requireUser();
  const [releases, counts] = await Promise.all([
    db.release.findMany({
      where: { status: { in: [...FINISHED] } },
      orderBy: { updatedAt: "desc" },
      take: 50,
      include: { service: true, environment: true, createdBy: { select: { name: true } } },
    }),
    db.release.groupBy({ by: ["status"], where: { status: { in: [...FINISHED] } }, _count: { _all: true } }),
  ]);
  return (
    <>
      <PageHeader title="History" description="What shipped, what failed and what was rolled back." />
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        {FINISHED.map((status) => (
          <div key={status} className="rounded-lg border border-border bg-card p-4">
            <p className="text-sm text-muted-foreground">{STATUS_LABELS[status]}</p>
            <p className="mt-1 text-2xl font-semibold tabular-nums">{counts.find((c) => c.status === status)?._count._all ?? 0}</p>
          </div>
        ))}
      </div>
      <Card>
        {releases.length === 0 ? (
          <EmptyState title="Nothing has shipped yet">Releases appear here once they are deployed, fail or are rolled back.</EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Release</Th>
                <Th>Service</Th>
                <Th>Image</Th>
                <Th>Outcome</Th>
                <Th>When</Th>
              </tr>
            </thead>
            <tbody>
              {releases.map((r) => (
                <tr key={r.id}>
                  <Td>
                    <Link href={`/releases/${r.id}`} className="font-medium text-primary hover:underline">
                      R-{r.number}
                    </Link>
                  </Td>
                  <Td>
                    {r.service.displayName} → {r.environment.displayName}
                  </Td>
                  <Td className="font-mono text-xs">{shortImage(r.imageRef)}</Td>
                  <Td>
                    <ReleaseStatusBadge status={r.status} />
                  </Td>
                  <Td className="text-muted-foreground">
                    <Timestamp value={r.deployedAt ?? r.updatedAt} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
