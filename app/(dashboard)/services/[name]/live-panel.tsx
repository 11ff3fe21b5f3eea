import { RollbackButton } from "@/components/services/rollback-button";
import { Badge } from "@/components/ui/badge";
import { CardBody } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Timestamp } from "@/components/ui/timestamp";
import type { LiveState } from "@/lib/deploy/live/live-state";
import { liveCard, type ActiveRun } from "@/lib/deploy/queries";
import type { RollbackSide } from "@/lib/deploy/rollback/preview";
import type { StrategyName } from "@/lib/deploy/types";
import { shortImage } from "@/lib/releases/image-reference";
import type { getServiceByName } from "@/lib/services/queries";

type Target = NonNullable<Awaited<ReturnType<typeof getServiceByName>>>["targets"][number];

/**
 * One environment's live cluster state, in its own Suspense boundary so the rest of the service
 * page (everything from the database) does not wait for the cluster. Read through the watch cache
 * (lib/deploy/queries.ts → lib/k8s/informers.ts); says how fresh it is.
 */
export async function LivePanel({
  service,
  target,
  strategy,
  active,
  mayRollBack,
}: {
  service: { id: string; name: string; displayName: string };
  target: Target;
  strategy: StrategyName;
  active: ActiveRun | null;
  mayRollBack: boolean;
}) {
  const { state, activeRollback } = await liveCard(service, target, strategy, active, mayRollBack);
  return (
    <>
      <div
        className="flex flex-wrap items-center gap-2 px-6 pt-4 text-xs text-muted-foreground"
        data-testid="live-status"
      >
        {state.error ? <Badge tone="danger">cluster unavailable</Badge> : <Badge tone="success">{state.detail}</Badge>}
        <Freshness state={state} />
      </div>
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
              {state.freshness?.status === "unreachable"
                ? `cluster unreachable: ${state.freshness.error}`
                : state.error}
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
    </>
  );
}

export function LivePanelSkeleton() {
  return (
    <CardBody className="grid gap-6 lg:grid-cols-2" aria-busy="true" aria-label="Reading the cluster">
      <Skeleton className="h-28" />
      <Skeleton className="h-10 w-48" />
    </CardBody>
  );
}

/** Where the numbers came from: "live", "stale since …" (and why), or why there are none. */
function Freshness({ state }: { state: LiveState }) {
  const f = state.freshness;
  if (!f) return null;
  switch (f.status) {
    case "live":
      return (
        <span data-testid="live-freshness" data-freshness="live">
          live · watching since <Timestamp value={f.since} />
        </span>
      );
    case "stale":
      return (
        <span data-testid="live-freshness" data-freshness="stale" className="text-amber-700 dark:text-warning">
          stale since <Timestamp value={f.since} />: the watch failed ({f.error}); showing what it last saw
        </span>
      );
    case "unreachable":
      return (
        <span data-testid="live-freshness" data-freshness="unreachable" className="text-destructive">
          cluster unreachable since <Timestamp value={f.since} />
        </span>
      );
    case "syncing":
      return (
        <span data-testid="live-freshness" data-freshness="syncing">
          the cluster has not answered yet; reload in a moment
        </span>
      );
  }
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
