import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Approvers, Requester, UtcTime } from "@/components/deployments/log-table";
import { RunEvents } from "@/components/deployments/run-events";
import { RunStatusBadge } from "@/components/deployments/run-status-badge";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/require-user";
import { durationSeconds, formatDuration } from "@/lib/deploy/log";
import { runDetail } from "@/lib/deploy/log-queries";
import { humanize } from "@/lib/format/humanize";
import { eventsFor, mayReadStepBodies } from "@/lib/redact/run-events";
import { ROLE_LABELS } from "@/lib/roles";
import { STRATEGY_LABELS } from "@/lib/schemas/release";

export const metadata: Metadata = { title: "Run" };

const SEVERITY = { P1: "danger", P2: "warning", P3: "info", P4: "neutral" } as const;
const KIND_TITLE = { deploy: "Deploy", rollback: "Rollback", promote: "Promote", abort: "Abort" } as const;
const RELATION: Record<string, string> = {
  cause: "suspected cause",
  remedy: "remedy",
  timeline: "in its timeline",
};

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/i.test(id)) notFound();
  const detail = await runDetail(id);
  if (!detail) notFound();
  const { entry, run } = detail;

  const facts: [string, React.ReactNode][] = [
    ["Service", `${entry.service.displayName} → ${entry.environment.displayName}`],
    [
      "Versions",
      <span key="v" className="block font-mono text-xs break-all">
        <span className="block">from {entry.fromImage ?? "—"}</span>
        <span className="block">to {entry.toImage ?? "—"}</span>
      </span>,
    ],
    ["Strategy", STRATEGY_LABELS[entry.strategy]],
    ["Requested by", <Requester key="r" entry={entry} />],
    ["Requested at", <UtcTime key="a" value={entry.at} />],
    ["Approved by", <Approvers key="ap" entry={entry} />],
    ["Start", <UtcTime key="s" value={entry.startedAt} />],
    ["End", <UtcTime key="e" value={entry.finishedAt} />],
    ["Duration", formatDuration(durationSeconds(entry.startedAt, entry.finishedAt))],
    ["Traffic switched", <UtcTime key="t" value={run.trafficSwitchedAt} />],
  ];
  if (run.verification)
    facts.push([
      "Verification",
      `${humanize(run.verification)}${run.verificationNote ? ` — ${run.verificationNote}` : ""}`,
    ]);
  if (detail.release)
    facts.push([
      "Release",
      <Link key="rel" href={`/releases/${detail.release.id}`} className="text-primary hover:underline">
        R-{detail.release.number}
        {entry.release?.revision ? ` (revision ${entry.release.revision})` : ""}
      </Link>,
    ]);

  return (
    <>
      <PageHeader
        title={`${KIND_TITLE[entry.kind]} of ${entry.service.displayName} to ${entry.environment.displayName}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <RunStatusBadge status={entry.status} />
            {entry.dryRun ? <Badge>dry run</Badge> : null}
            Run <span className="font-mono">{entry.id}</span> ·{" "}
            <Link href={`/deployments?service=${entry.service.name}`} className="text-primary hover:underline">
              this service in the log
            </Link>
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card>
            <CardHeader>
              <CardTitle>Summary</CardTitle>
            </CardHeader>
            <CardBody className="space-y-4">
              <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
                {facts.map(([term, value]) => (
                  <div key={term}>
                    <dt className="text-xs font-medium text-muted-foreground">{term}</dt>
                    <dd className="mt-0.5">{value}</dd>
                  </div>
                ))}
              </dl>
              {entry.reason ? (
                <p className="text-sm">
                  <span className="font-medium">Reason:</span> {entry.reason}
                </p>
              ) : null}
              {entry.outcome ? (
                <p
                  className={entry.status === "SUCCEEDED" ? "text-sm" : "text-sm text-destructive"}
                  data-testid="run-outcome"
                >
                  <span className="font-medium">Outcome:</span> {entry.outcome}
                </p>
              ) : null}
            </CardBody>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Steps</CardTitle>
              <span className="text-xs text-muted-foreground">{detail.events.length} events, in order</span>
            </CardHeader>
            {detail.events.length ? (
              <RunEvents events={eventsFor(user, detail.events)} bodies={mayReadStepBodies(user)} />
            ) : (
              <EmptyState title="No step recorded yet">
                The worker writes an event before and after every step; a queued run has none yet.
              </EmptyState>
            )}
          </Card>
        </div>

        <div className="space-y-6">
          <Card>
            <CardHeader>
              <CardTitle>Promote and abort</CardTitle>
            </CardHeader>
            <CardBody>
              {detail.controls.length ? (
                <ul className="space-y-3 text-sm">
                  {detail.controls.map((c) => (
                    <li key={c.id} data-testid="run-control">
                      <span className="font-medium capitalize">{c.action}</span> by {c.requestedBy},{" "}
                      <UtcTime value={c.requestedAt} />
                      <p className="text-xs text-muted-foreground">
                        {c.appliedAt ? (
                          <>
                            Carried out <UtcTime value={c.appliedAt} />
                            {c.outcome ? `: ${c.outcome}` : ""}
                          </>
                        ) : (
                          "Not carried out yet."
                        )}
                      </p>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-sm text-muted-foreground">Nobody promoted or aborted this run.</p>
              )}
            </CardBody>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Sign-offs</CardTitle>
            </CardHeader>
            {detail.signOffs.length ? (
              <Table>
                <thead>
                  <tr>
                    <Th>Role</Th>
                    <Th>Who</Th>
                    <Th>Decision</Th>
                  </tr>
                </thead>
                <tbody>
                  {detail.signOffs.map((s) => (
                    <tr key={s.id} className={s.forThisRun ? undefined : "text-muted-foreground"}>
                      <Td>{ROLE_LABELS[s.role]}</Td>
                      <Td>
                        {s.name}
                        <p className="text-xs text-muted-foreground">
                          revision {s.revision}
                          {s.forThisRun ? "" : " (not the one deployed)"} · <UtcTime value={s.at} />
                        </p>
                      </Td>
                      <Td>
                        {s.withdrawnAt ? "withdrawn" : humanize(s.decision)}
                        {s.comment ? <p className="text-xs text-muted-foreground">{s.comment}</p> : null}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : (
              <CardBody>
                <p className="text-sm text-muted-foreground">
                  {detail.release
                    ? "Nobody signed this release: its environment does not require sign-offs."
                    : "This run is not tied to a release, so nobody signs it: a rollback goes back to a version that shipped before."}
                </p>
              </CardBody>
            )}
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Incidents</CardTitle>
            </CardHeader>
            <CardBody>
              {detail.incidents.length ? (
                <ul className="space-y-2 text-sm">
                  {detail.incidents.map((i) => (
                    <li key={i.id} data-testid="run-incident">
                      <Badge tone={SEVERITY[i.severity]} className="mr-1">
                        {i.severity}
                      </Badge>
                      <Link href={`/incidents/${i.id}`} className="font-medium text-primary hover:underline">
                        INC-{i.number} {i.title}
                      </Link>
                      <p className="text-xs text-muted-foreground">
                        {RELATION[i.relation] ?? i.relation} · {humanize(i.status)}
                      </p>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="text-sm text-muted-foreground">No incident is linked to this run.</p>
              )}
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
