import type { Metadata } from "next";
import Link from "next/link";
import { Download } from "lucide-react";
import { LogFilters } from "@/components/deployments/log-filters";
import { LogTable } from "@/components/deployments/log-table";
import { buttonVariants } from "@/components/ui/button-variants";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/require-user";
import { cn } from "@/lib/cn";
import { exportHref, LOG_PAGE_SIZE, logHref } from "@/lib/deploy/log";
import { deploymentLogOptions, deploymentLogPage } from "@/lib/deploy/log-queries";
import { filterOf, parseLogQuery } from "@/lib/schemas/deployment-log";

export const metadata: Metadata = { title: "Deployment log" };

export default async function DeploymentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireUser();
  const { query, errors } = parseLogQuery(await searchParams);
  const filter = filterOf(query);
  const [page, options] = await Promise.all([deploymentLogPage(query), deploymentLogOptions()]);
  const filtered = Object.keys(filter).length > 0;
  const paged = Boolean(query.before || query.after);
  const pageLink = "inline-flex";
  const disabled = "pointer-events-none opacity-50";

  return (
    <>
      <PageHeader
        title="Deployment log"
        description="Every deploy and rollback, and every promote or abort a person asked of a canary, newest first. Times in UTC."
        actions={
          <a href={exportHref(filter)} className={buttonVariants({ variant: "secondary" })} download>
            <Download aria-hidden /> Export CSV
          </a>
        }
      />
      <Card>
        <LogFilters filter={filter} options={options} />
        {errors.length ? (
          <div role="alert" className="border-b border-border bg-destructive/10 px-4 py-3 text-sm text-destructive">
            <p className="font-medium">Some filters in the link were not understood and are left out:</p>
            <ul className="mt-1 list-disc pl-5">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {page.entries.length === 0 ? (
          <EmptyState
            title={filtered ? "No entry matches these filters" : paged ? "Nothing on this page" : "No runs yet"}
            action={
              filtered || paged ? (
                <Link href="/deployments" className={buttonVariants({ variant: "secondary", size: "sm" })}>
                  Show the whole log
                </Link>
              ) : null
            }
          >
            {filtered
              ? "Widen the time range or clear a filter."
              : "Deploys start from a release page, rollbacks from a service page; each one is recorded here."}
          </EmptyState>
        ) : (
          <LogTable entries={page.entries} />
        )}
        {page.newer || page.older ? (
          <nav aria-label="Pages of the log" className="flex items-center justify-between gap-4 px-4 py-3 text-sm">
            <Link
              href={page.newer ? logHref(filter, { after: page.newer }) : logHref(filter)}
              aria-disabled={!page.newer}
              tabIndex={page.newer ? undefined : -1}
              className={cn(buttonVariants({ variant: "secondary", size: "sm" }), pageLink, !page.newer && disabled)}
            >
              ← Newer
            </Link>
            <span className="text-muted-foreground">{LOG_PAGE_SIZE} per page</span>
            <Link
              href={page.older ? logHref(filter, { before: page.older }) : logHref(filter)}
              aria-disabled={!page.older}
              tabIndex={page.older ? undefined : -1}
              className={cn(buttonVariants({ variant: "secondary", size: "sm" }), pageLink, !page.older && disabled)}
            >
              Older →
            </Link>
          </nav>
        ) : null}
      </Card>
    </>
  );
}
