import type { Metadata } from "next";
import Link from "next/link";
import { ReleaseForm, type ServiceOption } from "@/components/releases/release-form";
import { Card, CardBody } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/require-user";
import { listServiceTargets } from "@/lib/releases/queries";

export const metadata: Metadata = { title: "New release" };

export default async function NewReleasePage() {
  await requirePermission("release:create");
  const services = await listServiceTargets();
  const options: ServiceOption[] = services
    .filter((s) => s.targets.length > 0)
    .map((s) => ({
      id: s.id,
      displayName: s.displayName,
      environments: s.targets.map((t) => ({
        id: t.environment.id,
        displayName: t.environment.displayName,
        defaultStrategy: t.defaultStrategy,
      })),
    }));

  return (
    <>
      <PageHeader
        title="New release"
        description="What to ship, where, and how. Production releases then wait for the six sign-offs."
      />
      <Card className="max-w-3xl">
        <CardBody>
          {options.length === 0 ? (
            <EmptyState title="No service is set up for deploys yet">
              A service needs a Kubernetes target in at least one environment.{" "}
              <Link className="text-primary underline" href="/services">
                See services
              </Link>
              .
            </EmptyState>
          ) : (
            <ReleaseForm mode="create" services={options} />
          )}
        </CardBody>
      </Card>
    </>
  );
}
