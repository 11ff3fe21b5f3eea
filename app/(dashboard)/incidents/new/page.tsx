import type { Metadata } from "next";
import { IncidentForm } from "@/components/incidents/incident-form";
import { Card, CardBody } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/require-user";
import { incidentFormOptions } from "@/lib/incidents/queries";

export const metadata: Metadata = { title: "Declare incident" };

export default async function NewIncidentPage() {
  await requirePermission("incident:manage");
  const options = await incidentFormOptions();
  return (
    <>
      <PageHeader
        title="Declare incident"
        description="It opens as investigating; the acknowledge clock starts now, against the severity's target."
      />
      <Card className="max-w-3xl">
        <CardBody>
          <IncidentForm services={options.services} releases={options.releases} />
        </CardBody>
      </Card>
    </>
  );
}
