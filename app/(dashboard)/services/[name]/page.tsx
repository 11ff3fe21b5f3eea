import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ReleaseStatusBadge } from "@/components/releases/release-status";
import { RollbackButton } from "@/components/services/rollback-button";
import { SliCharts } from "@/components/slis/sli-charts";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import { requireUser } from "@/lib/auth/require-user";
import { liveState } from "@/lib/deploy/live/live-state";
import type { RollbackSide } from "@/lib/deploy/rollback/preview";
import { activeRunFor, lastSucceededDeployStrategy, recentRuns, runProgress } from "@/lib/deploy/queries";
import { deployTarget } from "@/lib/deploy/targets";
import { humanize } from "@/lib/format/humanize";
import { can } from "@/lib/rbac";
import { shortImage } from "@/lib/releases/image-reference";
import { STRATEGY_LABELS } from "@/lib/schemas/release";
import { getServiceByName } from "@/lib/services/queries";
import { serviceSlis } from "@/lib/slo/service-slis";

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
      const [state, active, runs, slis] = await Promise.all([
        liveState(deployTarget(t, service.name), strategy, service.id, t.environmentId),
        activeRunFor(service.id, t.environmentId),
        recentRuns(service.id, t.environmentId, 8),
        serviceSlis(service.id, t.environmentId, "1h"),
      ]);
      const activeRollback = mayRollBack && active?.kind === "ROLLBACK" ? await runProgress(active.id) : null;
      return { target: t, strategy, state, active, runs, slis, activeRollback };
    }),
  );

  return (
    <>
      <PageHeader title={service.displayName} description={service.description} />
      <div className="space-y-6">
        {environments.map(({ target, strategy, state, active, runs, slis, activeRollback }) => (
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
              {state.error ? (
                <Badge tone="danger">cluster unavailable</Badge>
              ) : (
                <Badge tone="success">{state.detail}</Badge>
              )}
            </CardHeader>
            <CardBody className="grid gap-6 lg:grid-cols-2">
              <dl className="grid grid-cols-2 gap-3 text-sm">
                <div className="col-span-2">
                  <dt className="text-muted-foreground">Live version</dt>
                  <dd className="break-all font-mono text-xs" data-testid="live-image">
                    {state.image ?? "—"}
                  </dd>
                </div>
                <div>
                  <dt className="text-muted-foreground">Replicas ready</dt>
                  <dd className="tabular-nums">
                    {state.replicas.ready} / {state.replicas.desired}
                  </dd>
                </div>
                {state.color ? (
                  <div>
                    <dt className="text-muted-foreground">Live colour</dt>
                    <dd data-testid="live-color">{state.color}</dd>
                  </div>
                ) : null}
                {state.canary ? (
                  <div>
                    <dt className="text-muted-foreground">Canary</dt>
                    <dd>
                      {state.canary.replicas > 0
                        ? `${state.canary.weightPercent} % ${state.canary.exact ? "" : "(by replicas)"} · ${shortImage(state.canary.image ?? "")}`
                        : "none"}
                    </dd>
                  </div>
                ) : null}
                <div className="col-span-2" data-testid="rollback-preview">
                  <dt className="text-muted-foreground">Roll back would</dt>
                  <dd data-testid="rollback-readiness">
                    {state.rollback.ready ? `ready: ${state.rollback.detail}` : `not ready: ${state.rollback.detail}`}
                  </dd>
                  {state.rollback.from || state.rollback.to ? (
                    <dd className="mt-1 grid gap-1 text-xs">
                      {state.rollback.from ? (
                        <RollbackSideLine label="from" side={state.rollback.from} testId="rollback-from" />
                      ) : null}
                      {state.rollback.to ? (
                        <RollbackSideLine label="to" side={state.rollback.to} testId="rollback-to" />
                      ) : null}
                    </dd>
                  ) : null}
                </div>
                {state.error ? (
                  <p role="alert" className="col-span-2 text-sm text-destructive">
                    {state.error}
                  </p>
                ) : null}
              </dl>
              <div>
                {mayRollBack ? (
                  <RollbackButton
                    serviceId={service.id}
                    environmentId={target.environmentId}
                    label={`${service.displayName} in ${target.environment.displayName}`}
                    ready={state.rollback.ready && !active}
                    detail={active ? "another run is in progress" : state.rollback.detail}
                    activeRunId={active?.kind === "ROLLBACK" ? active.id : null}
                    initialRun={activeRollback}
                  />
                ) : (
                  <p className="text-sm text-muted-foreground">
                    On-call engineers, release managers and admins can roll back.
                  </p>
                )}
              </div>
            </CardBody>
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

function RollbackSideLine({ label, side, testId }: { label: string; side: RollbackSide; testId: string }) {
  return (
    <span data-testid={testId}>
      <span className="inline-block w-10 text-muted-foreground">{label}</span>
      <span className="break-all font-mono">{side.image ?? "—"}</span> · {side.where}
      {side.desired !== undefined ? ` · ${side.ready ?? 0}/${side.desired} ready` : ""}
    </span>
  );
}
