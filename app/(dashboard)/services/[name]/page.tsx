import type { Metadata } from "next";
import { Suspense } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { SliCharts } from "@/components/slis/sli-charts";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { activeRunFor, lastSucceededDeployStrategy, recentRuns } from "@/lib/deploy/queries";
import { humanize } from "@/lib/format/humanize";
import { can } from "@/lib/rbac";
import { shortImage } from "@/lib/releases/image-reference";
import { STRATEGY_LABELS } from "@/lib/schemas/release";
import { getServiceByName } from "@/lib/services/queries";
import { serviceSlis } from "@/lib/slo/service-slis";
import { LivePanel, LivePanelSkeleton } from "./live-panel";

export const metadata: Metadata = { title: "Service" };

export default async function ServicePage({ params }: { params: Promise<{ name: string }> }) {
  const user = await requireUser();
  const { name } = await params;
  const service = await getServiceByName(name);
  if (!service) notFound();
  const mayRollBack = can(user, "service:rollback");

  const environments = await Promise.all(
    service.targets.map(async (t) => {
      const strategy = (await lastSucceededDeployStrategy(service.id, t.environmentId)) ?? t.defaultStrategy;
      const [active, runs, slis] = await Promise.all([
        activeRunFor(service.id, t.environmentId),
        recentRuns(service.id, t.environmentId, 8),
        serviceSlis(service.id, t.environmentId, "1h"),
      ]);
      return { target: t, strategy, active, runs, slis };
    }),
  );

  return (
    <>
      <PageHeader title={service.displayName} description={service.description} />
      <div className="space-y-6">
        {environments.map(({ target, strategy, active, runs, slis }) => (
          <Card
            key={target.id}
            aria-labelledby={`env-${target.environment.name}`}
            data-testid={`environment-${target.environment.name}`}
          >
            <CardHeader>
              <div>
                <CardTitle id={`env-${target.environment.name}`}>{target.environment.displayName}</CardTitle>
                <p className="text-xs text-muted-foreground">
                  {target.cluster} / {target.namespace} · {STRATEGY_LABELS[strategy]}
                </p>
              </div>
            </CardHeader>
            {/* The cluster's state streams in; everything from the database is on the page already. */}
            <Suspense fallback={<LivePanelSkeleton />}>
              <LivePanel
                service={{ id: service.id, name: service.name, displayName: service.displayName }}
                target={target}
                strategy={strategy}
                active={active}
                mayRollBack={mayRollBack}
              />
            </Suspense>
            <CardBody className="border-t border-border">
              <SliCharts service={service.name} environment={target.environment.name} initialData={slis} />
            </CardBody>
            {runs.length > 0 ? (
              <Table>
                <thead>
                  <tr>
                    <Th>Run</Th>
                    <Th>Image</Th>
                    <Th>Outcome</Th>
                    <Th>Requested</Th>
                  </tr>
                </thead>
                <tbody>
                  {runs.map((r) => (
                    <tr key={r.id}>
                      <Td>
                        {humanize(r.kind)}
                        {r.release ? (
                          <>
                            {" "}
                            <Link className="text-primary hover:underline" href={`/releases/${r.release.id}`}>
                              R-{r.release.number}
                            </Link>
                          </>
                        ) : null}
                      </Td>
                      <Td className="font-mono text-xs">{r.toImage ? shortImage(r.toImage) : "—"}</Td>
                      <Td>
                        <Badge
                          tone={
                            r.status === "SUCCEEDED"
                              ? "success"
                              : ["FAILED", "ROLLED_BACK"].includes(r.status)
                                ? "danger"
                                : ["ABORTED", "PAUSED"].includes(r.status)
                                  ? "warning"
                                  : "info"
                          }
                        >
                          {humanize(r.status)}
                        </Badge>
                        {r.outcome ? <span className="ml-2 text-xs text-muted-foreground">{r.outcome}</span> : null}
                      </Td>
                      <Td className="text-muted-foreground">
                        <Timestamp value={r.createdAt} />
                        {r.requestedBy ? ` by ${r.requestedBy.name}` : ""}
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : (
              <CardBody>
                <p className="text-sm text-muted-foreground">No runs here yet.</p>
              </CardBody>
            )}
          </Card>
        ))}
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
