import type { Metadata } from "next";
import Link from "next/link";
import { BandBadge } from "@/components/history/band-badge";
import { DeploysChart } from "@/components/history/deploys-chart";
import { Definitions } from "@/components/history/definitions";
import { HistoryFilters } from "@/components/history/history-filters";
import { FIGURES, MetricCards } from "@/components/history/metric-cards";
import { ReleaseHistoryTable } from "@/components/history/release-history-table";
import { buttonVariants } from "@/components/ui/button-variants";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/require-user";
import { PRODUCTION } from "@/lib/history/metrics";
import { historyFilterOptions, historyMetricsForPage, historyReleases } from "@/lib/history/queries";
import { historyHref, parseHistoryQuery } from "@/lib/schemas/history";

export const metadata: Metadata = { title: "History" };

const day = (d: Date) => d.toISOString().slice(0, 10);
const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export default async function HistoryPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireUser();
  const query = parseHistoryQuery(await searchParams, new Date());
  const { period } = query;
  const environment = query.environment ?? PRODUCTION;
  const [{ overall, perService, totalServices, weeks }, { releases, next }, options] = await Promise.all([
    historyMetricsForPage(query),
    historyReleases(query),
    historyFilterOptions(),
  ]);
  const settings = {
    range: period.range,
    from: period.range ? undefined : day(period.from),
    to: period.range ? undefined : day(new Date(period.to.getTime() - 1)),
    service: query.service,
    environment: query.environment,
  };
  const previousLabel = `${utc(overall.previous.from)} – ${utc(overall.previous.to)}`;

  return (
    <>
      <PageHeader
        title="History"
        description={`What shipped, who signed for it, how it went, and the four delivery metrics: ${period.label}, ${utc(period.from)} – ${utc(period.to)}.`}
        actions={
          <a
            className={buttonVariants({ variant: "secondary" })}
            href={historyHref("/api/history/metrics.csv", settings)}
            download
          >
            Download metrics (CSV)
          </a>
        }
      />
      <Card className="mb-6">
        <HistoryFilters
          range={period.range}
          from={day(period.from)}
          to={day(new Date(period.to.getTime() - 1))}
          service={query.service ?? ""}
          environment={query.environment ?? ""}
          services={options.services}
          environments={options.environments}
        />
        {query.errors.length ? (
          <div role="alert" className="px-4 py-3 text-sm text-destructive">
            Left out of this view: {query.errors.join(" ")}
          </div>
        ) : null}
        <p className="px-4 py-2 text-xs text-muted-foreground">
          Metrics are for {environment === PRODUCTION ? "production" : <strong>{environment}</strong>}
          {query.service ? `, ${query.service} only` : ", all services"}; previous period {previousLabel}.
        </p>
      </Card>

      <MetricCards current={overall.current} previous={overall.previous} />
      <Definitions environment={environment} />

      <Card className="mb-6">
        <CardHeader>
          <CardTitle>Production deploys per week</CardTitle>
          <p className="text-xs text-muted-foreground">Weeks start on Monday (UTC).</p>
        </CardHeader>
        <CardBody>
          {overall.current.deploys === 0 ? (
            <EmptyState title="No production deploys in this period">
              Pick a longer period, or deploy a release to {environment} from its release page.
            </EmptyState>
          ) : (
            <DeploysChart
              weeks={weeks.map((w) => ({
                week: day(w.week),
                succeeded: w.succeeded,
                failed: w.failed,
                rolledBack: w.rolledBack,
              }))}
            />
          )}
        </CardBody>
      </Card>

      <Card className="mb-6">
        <CardHeader>
          <CardTitle>Per service</CardTitle>
          {perService.length < totalServices ? (
            <p className="text-xs text-muted-foreground" data-testid="service-metrics-shown">
              Showing {perService.length} of {totalServices} services: those with the most{" "}
              {environment === PRODUCTION ? "production" : environment} deploys in the period. Pick a service in the
              filters above to see any one;{" "}
              <a className="underline" href={historyHref("/api/history/metrics.csv", settings)} download>
                the CSV
              </a>{" "}
              has them all.
            </p>
          ) : null}
        </CardHeader>
        {perService.length === 0 ? (
          <EmptyState title={`No service has a target in ${environment}`}>
            Add one under Admin → Services, then its deploys count here.
          </EmptyState>
        ) : (
          <Table data-testid="service-metrics">
            <thead>
              <tr>
                <Th>Service</Th>
                {FIGURES.map((f) => (
                  <Th key={f.id}>{f.title}</Th>
                ))}
              </tr>
            </thead>
            <tbody>
              {perService.map((row) => (
                <tr key={row.serviceId}>
                  <Td className="font-medium">
                    <Link className="underline-offset-4 hover:underline" href={`/services/${row.name}`}>
                      {row.displayName}
                    </Link>
                  </Td>
                  {FIGURES.map((f) => (
                    <Td key={f.id}>
                      <div className="flex items-center gap-2">
                        <span className="tabular-nums">{f.value(row.current)}</span>
                        <BandBadge band={f.band(row.current)} />
                      </div>
                      <div className="mt-1 text-xs text-muted-foreground">
                        before: <span className="tabular-nums">{f.value(row.previous)}</span>
                      </div>
                    </Td>
                  ))}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Releases</CardTitle>
          <p className="text-xs text-muted-foreground">
            Created in the period{query.environment ? ` for ${query.environment}` : ""}, newest first, with who signed
            for each role.
          </p>
        </CardHeader>
        {releases.length === 0 ? (
          <EmptyState title={query.cursor ? "No older releases" : "No releases in this period"}>
            {query.cursor ? "This is the end of the list." : "Pick a longer period or clear a filter."}
          </EmptyState>
        ) : (
          <ReleaseHistoryTable releases={releases} />
        )}
        <nav aria-label="Release pages" className="flex justify-between gap-4 px-4 py-3 text-sm">
          {query.cursor ? (
            <Link
              className={buttonVariants({ variant: "secondary", size: "sm" })}
              href={historyHref("/history", settings)}
            >
              Newest
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link
              className={buttonVariants({ variant: "secondary", size: "sm" })}
              href={historyHref("/history", { ...settings, cursor: next })}
            >
              Older releases
            </Link>
          ) : null}
        </nav>
      </Card>
    </>
  );
}
