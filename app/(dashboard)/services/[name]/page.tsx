import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { shortImage } from "@/lib/releases/image-reference";
import { STRATEGY_LABELS } from "@/lib/schemas/release";
import { getServiceByName } from "@/lib/services/queries";

export const metadata: Metadata = { title: "Service" };

export default async function ServicePage({ params }: { params: Promise<{ name: string }> }) {
  await requireUser();
  const { name } = await params;
  const service = await getServiceByName(name);
  if (!service) notFound();

  return (
    <>
      <PageHeader title={service.displayName} description={service.description} />
      <div className="space-y-6">
        <Card>
          <CardHeader>
            <CardTitle>Where it runs</CardTitle>
          </CardHeader>
          <Table>
            <thead>
              <tr>
                <Th>Environment</Th>
                <Th>Cluster / namespace</Th>
                <Th>Deployment</Th>
                <Th>Default strategy</Th>
              </tr>
            </thead>
            <tbody>
              {service.targets.map((t) => (
                <tr key={t.id}>
                  <Td className="font-medium">{t.environment.displayName}</Td>
                  <Td className="font-mono text-xs">
                    {t.cluster} / {t.namespace}
                  </Td>
                  <Td className="font-mono text-xs">
                    {t.defaultStrategy === "BLUE_GREEN" ? `${t.deploymentName}-blue / -green` : t.deploymentName}
                    {t.defaultStrategy === "CANARY" ? ` + ${t.deploymentName}-canary` : ""}
                  </Td>
                  <Td>{STRATEGY_LABELS[t.defaultStrategy]}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Recent releases</CardTitle>
            <Link href={`/releases?service=${service.name}`} className="text-sm text-primary hover:underline">
              All releases
            </Link>
          </CardHeader>
          {service.releases.length === 0 ? (
            <CardBody>
              <EmptyState title="No releases of this service yet" />
            </CardBody>
          ) : (
            <Table>
              <tbody>
                {service.releases.map((r) => (
                  <tr key={r.id}>
                    <Td>
                      <Link href={`/releases/${r.id}`} className="font-medium text-primary hover:underline">
                        R-{r.number}
                      </Link>
                    </Td>
                    <Td>{r.environment.displayName}</Td>
                    <Td className="font-mono text-xs">{shortImage(r.imageRef)}</Td>
                    <Td>
                      <ReleaseStatusBadge status={r.status} />
                    </Td>
                    <Td className="text-muted-foreground">
                      <Timestamp value={r.createdAt} />
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
