import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ReleaseForm } from "@/components/releases/release-form";
import { Card, CardBody } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/require-user";
import { getRelease } from "@/lib/releases/queries";
import { EDITABLE_STATUSES } from "@/lib/releases/update-release";

export const metadata: Metadata = { title: "Edit release" };

export default async function EditReleasePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("release:edit");
  const { id } = await params;
  const release = await getRelease(id);
  if (!release) notFound();
  const editable = (EDITABLE_STATUSES as readonly string[]).includes(release.status);

  return (
    <>
      <PageHeader title={`Edit R-${release.number}`} />
      <Card className="max-w-3xl">
        <CardBody>
          {editable ? (
            <ReleaseForm
              mode="edit"
              release={{
                id: release.id,
                revision: release.revision,
                imageRef: release.imageRef,
                strategy: release.strategy,
                changeSummary: release.changeSummary,
                links: release.links as unknown as { label: string; url: string }[],
                service: release.service.displayName,
                environment: release.environment.displayName,
              }}
            />
          ) : (
            <EmptyState title="This release can no longer be edited">
              Only pending and approved releases change; create a new release instead.
            </EmptyState>
          )}
        </CardBody>
      </Card>
    </>
  );
}
