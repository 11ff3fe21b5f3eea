import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ApprovalMatrix, type MatrixRowView } from "@/components/approvals/approval-matrix";
import { Checklist } from "@/components/approvals/checklist";
import { FollowUpList, type FollowUpView } from "@/components/follow-ups/follow-up-list";
import { GateChanges } from "@/components/admin/gate-changes";
import { GateOverride } from "@/components/approvals/gate-override";
import { GatePanel } from "@/components/approvals/gate-panel";
import { DeployPanel } from "@/components/releases/deploy-panel";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { gateChangesFor } from "@/lib/gate-changes/queries";
import { can } from "@/lib/rbac";
import { EDITABLE_STATUSES } from "@/lib/releases/update-release";
import { releaseDetail } from "@/lib/releases/queries";
import { DEPLOYABLE_STATUSES } from "@/lib/deploy/commands/requests";
import { runProgress } from "@/lib/deploy/queries";
import { GATE_OVERRIDES, overrideFor, type GateOverrideKind } from "@/lib/approvals/override-kinds";
import { finishedRefusal, signableRoles, TICKABLE_STATUSES } from "@/lib/approvals/policy";
import { describeChanges } from "@/lib/releases/revision";
import { humanize } from "@/lib/format/humanize";
import { STRATEGY_LABELS } from "@/lib/schemas/release";
import { followUpState, formatDueTime } from "@/lib/follow-ups/due";
import { followUpsForRelease } from "@/lib/follow-ups/queries";
import { formatDistanceStrict } from "date-fns";

export const metadata: Metadata = { title: "Release" };

interface ReleaseLink {
  label: string;
  url: string;
}

export default async function ReleasePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const detail = await releaseDetail(id);
  if (!detail) notFound();
  const { release, gate, lastRun, activeRun } = detail;
  // The run DeployPanel shows first, read here so its progress renders without a spinner.
  const shownRunId = (activeRun?.releaseId === release.id ? activeRun.id : null) ?? lastRun?.id;
  const [initialRun, followUps] = await Promise.all([
    shownRunId ? runProgress(shownRunId) : null,
    followUpsForRelease(release.id),
  ]);
  const now = new Date();
  const followUpViews = followUps.map((group) => ({
    ...group,
    items: group.items.map(
      (item): FollowUpView => ({
        id: item.id,
        label: item.label,
        due: item.due,
        dueAt: formatDueTime(item.dueAt, group.timeZone),
        dueRelative: formatDistanceStrict(item.dueAt, now, { addSuffix: true }),
        state: followUpState(item, now),
        checkedBy: item.checkedBy?.name,
        checkedAt: item.checkedAt ? formatDueTime(item.checkedAt, group.timeZone) : undefined,
        evidenceUrl: item.evidenceUrl ?? undefined,
        note: item.note ?? undefined,
        closedReason: item.closedReason ?? undefined,
      }),
    ),
  }));
  const links = (release.links as unknown as ReleaseLink[]) ?? [];
  const mayEdit = can(user, "release:edit") && (EDITABLE_STATUSES as readonly string[]).includes(release.status);
  const checked = gate.checklist.filter((c) => c.state === "ticked").length;
  const deployable = (DEPLOYABLE_STATUSES as readonly string[]).includes(release.status);
  // A finished release's approvals are history: shown, never changed.
  const finished = finishedRefusal(release.status)?.message;
  const tickable = (TICKABLE_STATUSES as readonly string[]).includes(release.status);
  const blockedReason = !deployable
    ? `This release is ${humanize(release.status)}.`
    : gate.green
      ? null
      : "Deploy opens when the gate is green (see what is missing below).";
  const signable = signableRoles({ ...gate.signing, user });
  const rows: MatrixRowView[] = gate.matrix.map((r) => ({
    role: r.role,
    label: r.label,
    state: r.state,
    by: r.signOff?.userName,
    at: r.signOff?.createdAt.toISOString(),
    comment: r.signOff?.comment || undefined,
    note: r.note,
    revision: r.signOff?.revision,
    approvalId: r.signOff?.id,
    mine: r.signOff?.userId === user.id,
  }));
  const overrides = release.overrides.filter((o) => o.revision === release.revision);
  // Overrides take effect when a second admin confirms them (lib/gate-changes); admins decide here.
  const overrideRequests = can(user, "gate:confirm")
    ? await gateChangesFor({ keyPrefix: `override:${release.id}:` }, user)
    : null;
  const overridable: GateOverrideKind[] =
    deployable && can(user, "gate:override") ? [...new Set(gate.unmet.map(overrideFor).filter((k) => k !== null))] : [];

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            R-{release.number} · {release.service.displayName} → {release.environment.displayName}
            <ReleaseStatusBadge status={release.status} />
          </span>
        }
        description={
          <>
            Revision {release.revision} · created <Timestamp value={release.createdAt} /> by {release.createdBy.name}
          </>
        }
        actions={
          mayEdit ? (
            <Button variant="secondary" asChild>
              <Link href={`/releases/${release.id}/edit`}>Edit</Link>
            </Button>
          ) : null
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card>
            <CardHeader>
              <CardTitle>What ships</CardTitle>
            </CardHeader>
            <CardBody>
              <dl className="grid gap-4 text-sm sm:grid-cols-2">
                <div className="sm:col-span-2">
                  <dt className="text-muted-foreground">Image</dt>
                  <dd className="break-all font-mono" data-testid="release-image">
                    {release.imageRef}
                  </dd>
                </div>
                <div>
                  <dt className="text-muted-foreground">Digest</dt>
                  {release.imageDigest ? (
                    <dd className="break-all font-mono text-xs">{release.imageDigest}</dd>
                  ) : (
                    <dd className="text-muted-foreground">
                      Not given: the tag is resolved when the cluster pulls the image
                    </dd>
                  )}
                </div>
                <div>
                  <dt className="text-muted-foreground">Strategy</dt>
                  <dd>{STRATEGY_LABELS[release.strategy]}</dd>
                </div>
                <div className="sm:col-span-2">
                  <dt className="text-muted-foreground">Change summary</dt>
                  <dd className="whitespace-pre-wrap">{release.changeSummary}</dd>
                </div>
                {links.length > 0 ? (
                  <div className="sm:col-span-2">
                    <dt className="text-muted-foreground">Links</dt>
                    <dd>
                      <ul className="mt-1 space-y-1">
                        {links.map((l) => (
                          <li key={l.url + l.label}>
                            <a
                              href={l.url}
                              className="text-primary underline-offset-4 hover:underline"
                              rel="noopener noreferrer nofollow"
                              target="_blank"
                            >
                              {l.label}
                            </a>
                          </li>
                        ))}
                      </ul>
                    </dd>
                  </div>
                ) : null}
              </dl>
            </CardBody>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Approvals</CardTitle>
              <span className="text-sm text-muted-foreground">
                {release.environment.requiresApproval
                  ? `revision ${release.revision} needs all six`
                  : `${release.environment.displayName} does not require sign-offs`}
              </span>
            </CardHeader>
            <CardBody className="space-y-3">
              {finished ? (
                <p className="text-sm text-muted-foreground" data-testid="approvals-final">
                  {finished}
                </p>
              ) : null}
              <ApprovalMatrix
                releaseId={release.id}
                revision={release.revision}
                rows={rows}
                signable={signable}
                readOnly={Boolean(finished)}
              />
            </CardBody>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Revisions</CardTitle>
            </CardHeader>
            <CardBody>
              <ol className="space-y-3 text-sm">
                {release.revisions.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-baseline gap-2">
                    <Badge tone={r.revision === release.revision ? "info" : "neutral"}>rev {r.revision}</Badge>
                    <span className="font-mono text-xs">{r.imageRef}</span>
                    <span className="text-muted-foreground">
                      {r.revision === 1 ? "created" : describeChanges(r.changes)} by {r.createdBy.name}{" "}
                      <Timestamp value={r.createdAt} />
                    </span>
                  </li>
                ))}
              </ol>
            </CardBody>
          </Card>
        </div>
        <div className="space-y-6">
          <Card>
            <CardHeader>
              <CardTitle>Deploy</CardTitle>
            </CardHeader>
            <CardBody>
              <DeployPanel
                releaseId={release.id}
                canDeploy={can(user, "release:deploy")}
                canAbort={can(user, "run:control")}
                blockedReason={blockedReason}
                activeRunId={activeRun?.releaseId === release.id ? activeRun.id : null}
                lastRunId={lastRun?.id ?? null}
                initialRun={initialRun}
              />
            </CardBody>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Gate</CardTitle>
            </CardHeader>
            <CardBody className="space-y-4">
              <GatePanel unmet={gate.unmet} warnings={gate.warnings} />
              {overrides.map((o) => (
                <p key={o.id} className="text-xs text-muted-foreground" data-testid={`override-note-${o.kind}`}>
                  {GATE_OVERRIDES[o.kind].label} overridden for revision {o.revision} by {o.user.name}{" "}
                  <Timestamp value={o.createdAt} />: {o.reason}
                </p>
              ))}
              {overridable.map((kind) => (
                <GateOverride key={kind} releaseId={release.id} revision={release.revision} kind={kind} />
              ))}
              {overrideRequests ? (
                <GateChanges view={overrideRequests} title="Overrides waiting for a second admin" />
              ) : null}
            </CardBody>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Checklist</CardTitle>
              <span className="text-sm text-muted-foreground">
                {checked}/{release.checklist.length}
              </span>
            </CardHeader>
            <CardBody>
              {release.checklist.length === 0 ? (
                <p className="text-sm text-muted-foreground">
                  {release.environment.displayName} has no pre-deployment checklist.
                </p>
              ) : (
                <Checklist
                  releaseId={release.id}
                  revision={release.revision}
                  canTick={can(user, "checklist:tick") && tickable}
                  closedReason={
                    finished ??
                    (tickable ? undefined : `This release is ${humanize(release.status)}; its checklist is closed.`)
                  }
                  items={gate.checklist.map((item) => ({
                    id: item.id,
                    label: item.label,
                    required: item.required,
                    evidenceRequired: item.evidenceRequired,
                    state: item.state,
                    checkedAt: item.tick?.checkedAt.toISOString(),
                    checkedBy: item.tick?.userName,
                    evidenceUrl: item.tick?.evidenceUrl ?? undefined,
                    tickRevision: item.tick?.revision,
                    note: item.note,
                  }))}
                />
              )}
            </CardBody>
          </Card>
          {followUpViews.length > 0 ? (
            <Card data-testid="follow-ups">
              <CardHeader>
                <CardTitle>Follow-ups</CardTitle>
                <span className="text-sm text-muted-foreground">
                  {followUpViews[0].items.filter((i) => i.state === "done").length}/{followUpViews[0].items.length}
                </span>
              </CardHeader>
              <CardBody className="space-y-6">
                {followUpViews.map((group, index) => (
                  <div key={group.runId} className="space-y-2">
                    {followUpViews.length > 1 || index > 0 ? (
                      <p className="text-xs font-medium">
                        {index === 0 ? "Latest deploy" : "An earlier deploy"}
                        {group.finishedAt ? (
                          <>
                            , finished <Timestamp value={group.finishedAt} />
                          </>
                        ) : null}
                      </p>
                    ) : null}
                    <FollowUpList items={group.items} canTick={can(user, "followup:tick")} timeZone={group.timeZone} />
                  </div>
                ))}
              </CardBody>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}
