import type { Metadata } from "next";
import Link from "next/link";
import { formatDistanceStrict } from "date-fns";
import { ReleaseTable } from "@/components/releases/release-table";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { releasesWaitingForSignOff } from "@/lib/approvals/queries";
import { requireUser } from "@/lib/auth/require-user";
import { formatDueTime } from "@/lib/follow-ups/due";
import { overdueFollowUpsFor } from "@/lib/follow-ups/queries";
import { can } from "@/lib/rbac";
import { isApproverRole, ROLE_LABELS } from "@/lib/roles";

export const metadata: Metadata = { title: "Waiting for me" };

export default async function WaitingPage() {
  const user = await requireUser();
  const [releases, overdue] = await Promise.all([releasesWaitingForSignOff(user), overdueFollowUpsFor(user)]);
  const myRoles = user.roles.filter(isApproverRole).map((r) => ROLE_LABELS[r]);
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Waiting for me"
        description={
          myRoles.length
            ? `Releases you can sign as ${myRoles.join(", ")}.`
            : can(user, "followup:tick")
              ? "Follow-ups of recent deploys that are past due."
              : "You hold none of the six approver roles."
        }
      />
      {can(user, "followup:tick") ? (
        <Card className="mb-6" data-testid="overdue-follow-ups">
          <CardHeader>
            <CardTitle>Overdue follow-ups</CardTitle>
            <span className="text-sm text-muted-foreground">{overdue.length}</span>
          </CardHeader>
          <CardBody>
            {overdue.length === 0 ? (
              <EmptyState title="No follow-up is overdue">
                After a production deploy its checks (first hour, 4 hours, first day, first week) show up here when they
                pass their due time unticked.
              </EmptyState>
            ) : (
              <ul className="divide-y text-sm">
                {overdue.map((item) => (
                  <li key={item.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2">
                    <span>
                      <Link className="font-medium text-primary hover:underline" href={`/releases/${item.release.id}`}>
                        R-{item.release.number} {item.release.service.displayName} →{" "}
                        {item.release.environment.displayName}
                      </Link>
                      : {item.label}
                    </span>
                    <span className="text-xs text-destructive">
                      due {formatDueTime(item.dueAt, item.release.environment.followUpTimeZone)} (
                      {formatDistanceStrict(item.dueAt, now, { addSuffix: true })})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </CardBody>
        </Card>
      ) : null}
      {myRoles.length || !can(user, "followup:tick") ? (
        <Card>
          {releases.length === 0 ? (
            <EmptyState title="Nothing waits for your sign-off">
              {myRoles.length
                ? "New releases that need your role show up here."
                : "Approvers see the releases they can sign here."}
            </EmptyState>
          ) : (
            <ReleaseTable releases={releases} />
          )}
        </Card>
      ) : null}
    </>
  );
}
