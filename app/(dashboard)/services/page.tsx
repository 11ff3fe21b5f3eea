import type { Metadata } from "next";
import Link from "next/link";
import { ServiceEnvironments } from "@/components/services/service-environments";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/require-user";
import { servicesOverview } from "@/lib/services/queries";

export const metadata: Metadata = { title: "Services" };

export default async function ServicesPage() {
  await requireUser();
  const services = await servicesOverview();
  return (
    <>
      <PageHeader title="Services" description="Every service Greenlight ships, and where it runs." />
      {services.length === 0 ? (
        <Card>
          <EmptyState title="No services yet">An admin adds services and their Kubernetes targets.</EmptyState>
        </Card>
      ) : (
        <div className="grid gap-4">
          {services.map((s) => (
            <Card key={s.id}>
              <CardHeader>
                <div>
                  <CardTitle>
                    <Link href={`/services/${s.name}`} className="hover:underline">
                      {s.displayName}
                    </Link>
                  </CardTitle>
                  <p className="text-sm text-muted-foreground">{s.description}</p>
                </div>
              </CardHeader>
              <CardBody>
                <ServiceEnvironments environments={s.environments} />
              </CardBody>
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
