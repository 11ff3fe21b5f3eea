import type { Metadata } from "next";
import Link from "next/link";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { waitingForMe } from "@/lib/approvals/waiting";
import { requireUser } from "@/lib/auth/require-user";
import { db } from "@/lib/db";
import { shortImage } from "@/lib/releases/image-reference";
import { isApproverRole, ROLE_LABELS } from "@/lib/roles";

export const metadata: Metadata = { title: "Waiting for me" };

export default async function WaitingPage() {
  const user = await requireUser();
  const ids = await waitingForMe(user);
  const releases = await db.release.findMany({ where: { id: { in: ids } }, orderBy: { createdAt: "desc" }, include: { service: true, environment: true, createdBy: { select: { name: true } } } });
  const myRoles = user.roles.filter(isApproverRole).map((r) => ROLE_LABELS[r]);
  return (
    <>
      <PageHeader title="Waiting for me" description={myRoles.length ? `Releases you can sign as ${myRoles.join(", ")}.` : "You hold none of the six approver roles."} />
      <Card>
        {releases.length === 0 ? (
          <EmptyState title="Nothing waits for your sign-off">{myRoles.length ? "New releases that need your role show up here." : "Approvers see the releases they can sign here."}</EmptyState>
        ) : (
          <Table>
            <thead>
              <tr>
                <Th>Release</Th>
                <Th>Service</Th>
                <Th>Image</Th>
                <Th>Status</Th>
                <Th>Created</Th>
              </tr>
            </thead>
            <tbody>
              {releases.map((r) => (
                <tr key={r.id}>
                  <Td>
                    <Link href={`/releases/${r.id}`} className="font-medium text-primary hover:underline">
                      R-{r.number}
                    </Link>
                    <span className="ml-1 text-xs text-muted-foreground">rev {r.revision}</span>
                  </Td>
                  <Td>
                    {r.service.displayName} → {r.environment.displayName}
                  </Td>
                  <Td className="font-mono text-xs">{shortImage(r.imageRef)}</Td>
                  <Td>
                    <ReleaseStatusBadge status={r.status} />
                  </Td>
                  <Td className="text-muted-foreground">
                    <Timestamp value={r.createdAt} /> by {r.createdBy.name}
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
