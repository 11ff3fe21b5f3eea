import type { Metadata } from "next";
import { STATUS_LABELS } from "@/components/releases/release-status";
import { ReleaseTable } from "@/components/releases/release-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/require-user";
import { releaseHistory } from "@/lib/releases/queries";

export const metadata: Metadata = { title: "History" };

export default async function HistoryPage() {
  await requireUser();
  const { releases, counts } = await releaseHistory();
  return (
    <>
      <PageHeader title="History" description="What shipped, what failed and what was rolled back." />
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        {counts.map(({ status, count }) => (
          <div key={status} className="rounded-lg border border-border bg-card p-4">
            <p className="text-sm text-muted-foreground">{STATUS_LABELS[status]}</p>
            <p className="mt-1 text-2xl font-semibold tabular-nums">{count}</p>
          </div>
        ))}
      </div>
      <Card>
        {releases.length === 0 ? (
          <EmptyState title="Nothing has shipped yet">
            Releases appear here once they are deployed, fail or are rolled back.
          </EmptyState>
        ) : (
          <ReleaseTable releases={releases} time="finished" />
        )}
      </Card>
    </>
  );
}
