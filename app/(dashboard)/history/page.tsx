import type { Metadata } from "next";
import { STATUS_LABELS } from "@/components/releases/release-status";
import { ReleaseTable } from "@/components/releases/release-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/require-user";
import { db } from "@/lib/db";

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
          <ReleaseTable releases={releases} time="finished" />
        )}
      </Card>
    </>
  );
}
