import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AcknowledgeClock } from "@/components/incidents/acknowledge-clock";
import { IncidentActions } from "@/components/incidents/incident-actions";
import { IncidentStatusBadge, SeverityBadge } from "@/components/incidents/incident-badges";
import { IncidentTimeline } from "@/components/incidents/incident-timeline";
import { LinkRunForm } from "@/components/incidents/link-run-form";
import { NoteForm } from "@/components/incidents/note-form";
import { Postmortem } from "@/components/incidents/postmortem";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/require-user";
import { humanize } from "@/lib/format/humanize";
import { incidentDetail, linkableRuns, listResponders } from "@/lib/incidents/queries";
import { formatDuration, needsPostmortem, timeToRestoreMs } from "@/lib/incidents/rules";
import { can } from "@/lib/rbac";

export const metadata: Metadata = { title: "Incident" };

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
const shortImage = (image: string | null) => image?.split("/").at(-1) ?? "—";

export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const incident = await incidentDetail(id);
  if (!incident) notFound();
  const mayManage = can(user, "incident:manage");
  const [responders, runs] = await Promise.all([
    mayManage || needsPostmortem(incident.severity) ? listResponders() : Promise.resolve([]),
    mayManage && incident.serviceId ? linkableRuns(incident.serviceId) : Promise.resolve([]),
  ]);
  const now = new Date();
  const restoreMs = timeToRestoreMs(incident);
  const linked = new Set(incident.runs.map((r) => r.runId));

  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span>
              INC-{incident.number} {incident.title}
            </span>
            <SeverityBadge severity={incident.severity} />
            <IncidentStatusBadge status={incident.status} />
          </span>
        }
        description={
          <>
            Opened {utc(incident.openedAt)}{" "}
            {incident.openedBy ? `by ${incident.openedBy.name}` : `by ${sourceName(incident.source)}`}
            {incident.summary ? ` · ${incident.summary}` : ""}
          </>
        }
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-3">
          <CardBody>
            <dl className="grid gap-4 text-sm sm:grid-cols-2 lg:grid-cols-4">
              <div>
                <dt className="text-muted-foreground">Time to acknowledge</dt>
                <dd className="mt-1">
                  <AcknowledgeClock
                    severity={incident.severity}
                    openedAt={incident.openedAt.toISOString()}
                    acknowledgedAt={incident.acknowledgedAt?.toISOString() ?? null}
                    now={now.toISOString()}
                  />
                  {incident.acknowledgedBy ? (
                    <span className="block text-xs text-muted-foreground">by {incident.acknowledgedBy.name}</span>
                  ) : null}
                </dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Time to restore</dt>
                <dd className="mt-1" data-testid="time-to-restore">
                  {restoreMs === null
                    ? "not restored yet"
                    : `${formatDuration(restoreMs)} (restored ${utc(incident.restoredAt!)})`}
                </dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Commander</dt>
                <dd className="mt-1" data-testid="commander">
                  {incident.commander?.name ?? "nobody yet"}
                </dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Where</dt>
                <dd className="mt-1">
                  {incident.service ? (
                    <Link className="text-primary underline" href={`/services/${incident.service.name}`}>
                      {incident.service.displayName}
                    </Link>
                  ) : (
                    "no service named"
                  )}
                  {incident.environment ? ` → ${incident.environment.displayName}` : ""}
                  {incident.release ? (
                    <>
                      {" · "}
                      <Link className="text-primary underline" href={`/releases/${incident.release.id}`}>
                        R-{incident.release.number}
                      </Link>{" "}
                      <span className="text-muted-foreground">{shortImage(incident.release.imageRef)}</span>
                    </>
                  ) : null}
                </dd>
              </div>
            </dl>
            {incident.resolution ? (
              <p className="mt-4 rounded-md bg-muted px-3 py-2 text-sm">
                <span className="font-medium">Resolved</span>
                {incident.resolvedBy ? ` by ${incident.resolvedBy.name}` : ""}
                {incident.resolvedAt ? ` at ${utc(incident.resolvedAt)}` : ""}: {incident.resolution}
              </p>
            ) : null}
            {mayManage ? (
              <div className="mt-4 border-t border-border pt-4">
                <IncidentActions
                  incidentId={incident.id}
                  status={incident.status}
                  severity={incident.severity}
                  commanderId={incident.commanderId}
                  acknowledged={incident.acknowledgedAt !== null}
                  responders={responders}
                />
              </div>
            ) : null}
          </CardBody>
        </Card>

        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Timeline</CardTitle>
          </CardHeader>
          <CardBody className="space-y-6">
            <IncidentTimeline
              items={incident.events.map((e) => ({
                id: e.id.toString(),
                kind: e.kind,
                step: e.step,
                message: e.message,
                at: e.createdAt,
                actorName: e.actor?.name ?? null,
                runId: e.runId,
                alertName: e.alert?.alertname ?? null,
              }))}
            />
            {mayManage ? (
              <div className="border-t border-border pt-4">
                <NoteForm incidentId={incident.id} />
              </div>
            ) : null}
          </CardBody>
        </Card>

        <Card className="self-start">
          <CardHeader>
            <CardTitle>Linked runs</CardTitle>
          </CardHeader>
          <CardBody className="space-y-4">
            {incident.runs.length === 0 ? (
              <p className="text-sm text-muted-foreground">
                No run linked. Deploys and rollbacks of this service while the incident is open are linked by
                themselves.
              </p>
            ) : (
              <ul className="space-y-2 text-sm">
                {incident.runs.map(({ run, relation }) => (
                  <li key={run.id} className="flex flex-wrap items-center gap-2">
                    <Badge tone={relation === "cause" ? "warning" : "info"}>{relation}</Badge>
                    <Link className="text-primary underline" href={`/deployments/${run.id}`}>
                      {humanize(run.kind)} {shortImage(run.toImage)}
                    </Link>
                    <span className="text-xs text-muted-foreground">
                      {humanize(run.status)} · {run.environment.displayName} · {utc(run.createdAt)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {mayManage ? (
              <LinkRunForm
                incidentId={incident.id}
                runs={runs
                  .filter((r) => !linked.has(r.id))
                  .map((r) => ({
                    id: r.id,
                    label: `${humanize(r.kind)} ${shortImage(r.toImage)} · ${r.environment.displayName} · ${humanize(r.status)} · ${utc(r.createdAt).slice(5, 16)}`,
                  }))}
              />
            ) : null}
          </CardBody>
        </Card>

        {needsPostmortem(incident.severity) ? (
          <Card className="lg:col-span-3">
            <CardHeader>
              <CardTitle>Postmortem</CardTitle>
            </CardHeader>
            <CardBody>
              <Postmortem
                incidentId={incident.id}
                impact={incident.impact ?? ""}
                rootCause={incident.rootCause ?? ""}
                wentWell={incident.wentWell ?? ""}
                editable={mayManage}
                responders={responders}
                items={incident.actionItems.map((i) => ({
                  id: i.id,
                  title: i.title,
                  ownerName: i.owner.name,
                  dueAt: i.dueAt?.toISOString() ?? null,
                  doneAt: i.doneAt?.toISOString() ?? null,
                }))}
              />
            </CardBody>
          </Card>
        ) : null}
      </div>
    </>
  );
}

function sourceName(source: string): string {
  return source === "ALERTMANAGER" ? "Alertmanager" : "Greenlight";
}
