import Link from "next/link";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { ServiceEnvironments } from "@/components/services/service-environments";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { countActiveRuns } from "@/lib/deploy/queries";
import { countOpenIncidents } from "@/lib/incidents/queries";
import { recentReleases } from "@/lib/releases/queries";
import { servicesOverview } from "@/lib/services/queries";
import { sloSummariesByTarget } from "@/lib/slo/queries";

export default async function OverviewPage() {
  const user = await requireUser();
  const [{ services, total }, recent, runsInFlight, openIncidents] = await Promise.all([
    servicesOverview(),
    recentReleases(5),
    countActiveRuns(),
    countOpenIncidents(),
  ]);
  // Only the cards shown ask Prometheus; down reads as "unknown", never a broken page.
  const slos = await sloSummariesByTarget(services.flatMap((s) => s.targets.map((t) => t.id)));

  return (
    <>
      <PageHeader title="Overview" description={`Welcome back, ${user.name.split(" ")[0]}.`} />
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        <Stat label="Services" value={total} href="/services" />
        <Stat label="Rollouts in flight" value={runsInFlight} href="/releases?status=DEPLOYING" />
        <Stat label="Open incidents" value={openIncidents} href="/incidents" />
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <h2 className="text-lg font-semibold">Services</h2>
          {services.length < total ? (
            <p className="text-sm text-muted-foreground" data-testid="services-shown">
              Showing {services.length} of {total} services, those needing attention first (releases waiting, rollouts
              in flight, open incidents, a failed last run) —{" "}
              <Link href="/services" className="text-primary underline">
                see all on Services
              </Link>
              .
            </p>
          ) : null}
          {services.length === 0 ? (
            <Card>
              <EmptyState title="No services yet">An admin adds services and their Kubernetes targets.</EmptyState>
            </Card>
          ) : (
            services.map((service) => (
              <Card key={service.id} aria-labelledby={`service-${service.name}`}>
                <CardHeader>
                  <div>
                    <CardTitle id={`service-${service.name}`}>
                      <Link href={`/services/${service.name}`} className="hover:underline">
                        {service.displayName}
                      </Link>
                    </CardTitle>
                    <p className="text-sm text-muted-foreground">{service.description}</p>
                  </div>
                  {service.ownerTeam ? (
                    <span className="text-xs text-muted-foreground">{service.ownerTeam}</span>
                  ) : null}
                </CardHeader>
                <CardBody>
                  <ServiceEnvironments environments={service.environments} slos={slos} />
                </CardBody>
              </Card>
            ))
          )}
        </div>
        <div className="space-y-4">
          <h2 className="text-lg font-semibold">Recent releases</h2>
          <Card>
            {recent.length === 0 ? (
              <EmptyState
                title="No releases yet"
                action={
                  <Link href="/releases/new" className="text-sm text-primary underline">
                    Create a release
                  </Link>
                }
              />
            ) : (
              <ul className="divide-y divide-border">
                {recent.map((r) => (
                  <li key={r.id} className="flex items-center justify-between gap-2 px-4 py-3 text-sm">
                    <div>
                      <Link href={`/releases/${r.id}`} className="font-medium hover:underline">
                        R-{r.number} {r.service.displayName}
                      </Link>
                      <p className="text-xs text-muted-foreground">
                        {r.environment.displayName} · <Timestamp value={r.createdAt} />
                      </p>
                    </div>
                    <ReleaseStatusBadge status={r.status} />
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}

function Stat({ label, value, href }: { label: string; value: number; href: string }) {
  return (
    <Link href={href} className="rounded-lg border border-border bg-card p-4 hover:bg-muted/50">
      <p className="text-sm text-muted-foreground">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">{value}</p>
    </Link>
  );
}
