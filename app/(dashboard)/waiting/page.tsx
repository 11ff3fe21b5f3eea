import type { Metadata } from "next";
import { ReleaseTable } from "@/components/releases/release-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { releasesWaitingForSignOff } from "@/lib/approvals/queries";
import { requireUser } from "@/lib/auth/require-user";
import { isApproverRole, ROLE_LABELS } from "@/lib/roles";

export const metadata: Metadata = { title: "Waiting for me" };

export default async function WaitingPage() {
  const user = await requireUser();
  const releases = await releasesWaitingForSignOff(user);
  const myRoles = user.roles.filter(isApproverRole).map((r) => ROLE_LABELS[r]);
  return (
    <>
      <PageHeader
        title="Waiting for me"
        description={
          myRoles.length
            ? `Releases you can sign as ${myRoles.join(", ")}.`
            : "You hold none of the six approver roles."
        }
      />
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
    </>
  );
}
