import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { humanize } from "@/lib/format/humanize";
import { listRecentIncidents } from "@/lib/incidents/queries";

export const metadata: Metadata = { title: "Incidents" };

const SEVERITY = { P1: "danger", P2: "warning", P3: "info", P4: "neutral" } as const;

export default async function IncidentsPage() {
  await requireUser();
  const incidents = await listRecentIncidents();
  return (
    <>
      <PageHeader title="Incidents" description="P1 respond in 5 minutes · P2 in 15 · P3 in 1 hour · P4 in 4 hours." />
      <Card>
        {incidents.length === 0 ? (
          <EmptyState title="No incidents">
            Incidents open here from Alertmanager alerts and automatic rollbacks, with their timelines.
          </EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Incident</Th>
                <Th>Severity</Th>
                <Th>Service</Th>
                <Th>Status</Th>
                <Th>Opened</Th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id}>
                  <Td>
                    <span className="font-medium">
                      INC-{i.number} {i.title}
                    </span>
                    {i.source === "AUTO_ROLLBACK" ? (
                      <Badge tone="neutral" className="ml-2">
                        automatic rollback
                      </Badge>
                    ) : null}
                    {i.summary ? <p className="mt-0.5 text-xs text-muted-foreground">{i.summary}</p> : null}
                  </Td>
                  <Td>
                    <Badge tone={SEVERITY[i.severity]}>{i.severity}</Badge>
                  </Td>
                  <Td>
                    {i.service
                      ? `${i.service.displayName}${i.environment ? ` → ${i.environment.displayName}` : ""}`
                      : "—"}
                  </Td>
                  <Td>{humanize(i.status)}</Td>
                  <Td className="text-muted-foreground">
                    <Timestamp value={i.openedAt} />
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
