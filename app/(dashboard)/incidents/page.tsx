import type { Metadata } from "next";
import Link from "next/link";
import { IncidentStatusBadge, SeverityBadge } from "@/components/incidents/incident-badges";
import { IncidentFilters } from "@/components/incidents/incident-filters";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { buttonVariants } from "@/components/ui/button-variants";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { cn } from "@/lib/cn";
import { acknowledgeClock, RESPONSE_TARGET_MINUTES } from "@/lib/incidents/procedure";
import { listIncidents } from "@/lib/incidents/queries";
import { formatDuration } from "@/lib/incidents/rules";
import { can } from "@/lib/rbac";
import { incidentFiltersSchema } from "@/lib/schemas/incidents";

export const metadata: Metadata = { title: "Incidents" };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function IncidentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const raw = await searchParams;
  const filters = incidentFiltersSchema.parse({
    status: first(raw.status),
    severity: first(raw.severity),
    cursor: first(raw.cursor),
  });
  const { items, nextCursor } = await listIncidents(filters);
  const mayDeclare = can(user, "incident:manage");
  const now = new Date();

  const href = (cursor?: string) => {
    const params = new URLSearchParams();
    if (filters.status !== "open") params.set("status", filters.status);
    if (filters.severity) params.set("severity", filters.severity);
    if (cursor) params.set("cursor", cursor);
    return `/incidents${params.size ? `?${params}` : ""}`;
  };

  return (
    <>
      <PageHeader
        title="Incidents"
        description={`Acknowledge within: ${Object.entries(RESPONSE_TARGET_MINUTES)
          .map(([s, m]) => `${s} ${formatDuration(m * 60_000)}`)
          .join(" · ")}.`}
        actions={
          mayDeclare ? (
            <Button asChild>
              <Link href="/incidents/new">Declare incident</Link>
            </Button>
          ) : null
        }
      />
      <Card>
        <IncidentFilters />
        {items.length === 0 ? (
          <EmptyState
            title={filters.status === "open" && !filters.severity ? "No open incidents" : "No incidents match"}
            action={
              filters.status !== "all" || filters.severity ? (
                <Link className="text-sm text-primary underline" href="/incidents?status=all">
                  Show all incidents
                </Link>
              ) : null
            }
          >
            Incidents open here from Alertmanager alerts, automatic rollbacks, and people who declare them
            {mayDeclare ? " with “Declare incident”" : ""}.
          </EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Incident</Th>
                <Th>Severity</Th>
                <Th>Status</Th>
                <Th>Service</Th>
                <Th>Opened</Th>
                <Th>Time to acknowledge</Th>
                <Th>Commander</Th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const clock = acknowledgeClock(i, now);
                return (
                  <tr key={i.id}>
                    <Td>
                      <Link href={`/incidents/${i.id}`} className="font-medium hover:underline">
                        INC-{i.number} {i.title}
                      </Link>
                      {i.source === "AUTO_ROLLBACK" ? (
                        <Badge tone="neutral" className="ml-2">
                          automatic rollback
                        </Badge>
                      ) : i.source === "ALERTMANAGER" ? (
                        <Badge tone="neutral" className="ml-2">
                          alert
                        </Badge>
                      ) : null}
                    </Td>
                    <Td>
                      <SeverityBadge severity={i.severity} />
                    </Td>
                    <Td>
                      <IncidentStatusBadge status={i.status} />
                    </Td>
                    <Td>
                      {i.service
                        ? `${i.service.displayName}${i.environment ? ` → ${i.environment.displayName}` : ""}`
                        : "—"}
                    </Td>
                    <Td className="text-muted-foreground">
                      <Timestamp value={i.openedAt} now={now} />
                    </Td>
                    <Td className={cn("tabular-nums", clock.breached && "text-destructive")}>
                      {clock.acknowledged
                        ? `${formatDuration(clock.elapsedMs)} / ${formatDuration(clock.targetMinutes * 60_000)}`
                        : i.status === "RESOLVED"
                          ? "—"
                          : clock.breached
                            ? `not yet, overdue by ${formatDuration(clock.elapsedMs - clock.targetMinutes * 60_000)}`
                            : `not yet, ${formatDuration(clock.remainingMs)} left`}
                    </Td>
                    <Td>{i.commander?.name ?? <span className="text-muted-foreground">none</span>}</Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        {filters.cursor || nextCursor ? (
          <nav aria-label="Pagination" className="flex items-center justify-between gap-4 px-4 py-3 text-sm">
            {filters.cursor ? (
              <Link className={buttonVariants({ variant: "secondary", size: "sm" })} href={href()}>
                Newest
              </Link>
            ) : (
              <span />
            )}
            {nextCursor ? (
              <Link className={buttonVariants({ variant: "secondary", size: "sm" })} href={href(nextCursor)}>
                Older
              </Link>
            ) : null}
          </nav>
        ) : null}
      </Card>
    </>
  );
}
