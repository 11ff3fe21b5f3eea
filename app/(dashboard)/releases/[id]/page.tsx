import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeployPanel } from "@/components/releases/deploy-panel";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { can } from "@/lib/rbac";
import { EDITABLE_STATUSES } from "@/lib/releases/update-release";
import { getRelease } from "@/lib/releases/queries";
import { db } from "@/lib/db";
import { DEPLOYABLE_STATUSES } from "@/lib/deploy/requests";
import { describeChanges } from "@/lib/releases/revision";
import { STRATEGY_LABELS } from "@/lib/schemas/release";

export const metadata: Metadata = { title: "Release" };

interface ReleaseLink {
  label: string;
  url: string;
}

export default async function ReleasePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const release = await getRelease(id);
  if (!release) notFound();
  const links = (release.links as unknown as ReleaseLink[]) ?? [];
  const mayEdit = can(user, "release:edit") && (EDITABLE_STATUSES as readonly string[]).includes(release.status);
  const checked = release.checklist.filter((c) => c.checkedAt).length;
  const [lastRun, activeRun] = await Promise.all([
    db.deploymentRun.findFirst({ where: { releaseId: release.id, kind: "DEPLOY" }, orderBy: { createdAt: "desc" }, select: { id: true } }),
    db.deploymentRun.findFirst({
      where: { serviceId: release.serviceId, environmentId: release.environmentId, status: { in: ["QUEUED", "RUNNING", "PAUSED"] }, kind: { in: ["DEPLOY", "ROLLBACK"] } },
      select: { id: true, releaseId: true, kind: true },
    }),
  ]);
  const blockedReason = !(DEPLOYABLE_STATUSES as readonly string[]).includes(release.status)
    ? `This release is ${release.status.toLowerCase().replace("_", " ")}.`
    : activeRun
      ? `A ${activeRun.kind.toLowerCase()} of ${release.service.displayName} in ${release.environment.displayName} is in progress.`
      : null;

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
                    <dd className="text-muted-foreground">Not given: the tag is resolved when the cluster pulls the image</dd>
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
                            <a href={l.url} className="text-primary underline-offset-4 hover:underline" rel="noopener noreferrer nofollow" target="_blank">
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
              <CardTitle>Revisions</CardTitle>
            </CardHeader>
            <CardBody>
              <ol className="space-y-3 text-sm">
                {release.revisions.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-baseline gap-2">
                    <Badge tone={r.revision === release.revision ? "info" : "neutral"}>rev {r.revision}</Badge>
                    <span className="font-mono text-xs">{r.imageRef}</span>
                    <span className="text-muted-foreground">
                      {r.revision === 1 ? "created" : describeChanges(r.changes)} by {r.createdBy.name} <Timestamp value={r.createdAt} />
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
                canControl={can(user, "run:control")}
                blockedReason={blockedReason}
                activeRunId={activeRun?.releaseId === release.id ? activeRun.id : null}
                lastRunId={lastRun?.id ?? null}
              />
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
                <p className="text-sm text-muted-foreground">{release.environment.displayName} has no pre-deployment checklist.</p>
              ) : (
                <ul className="space-y-2 text-sm">
                  {release.checklist.map((item) => (
                    <li key={item.id} className="flex gap-2">
                      <span aria-hidden>{item.checkedAt ? "☑" : "☐"}</span>
                      <span>
                        {item.label}
                        {item.checkedBy ? <span className="text-muted-foreground"> — {item.checkedBy.name}</span> : null}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </CardBody>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Approvals</CardTitle>
            </CardHeader>
            <CardBody className="text-sm text-muted-foreground">
              {release.environment.requiresApproval
                ? `${release.environment.displayName} needs one sign-off from each of the six approver roles before a deploy.`
                : `${release.environment.displayName} does not require sign-offs.`}
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
