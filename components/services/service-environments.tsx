import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Timestamp } from "@/components/ui/timestamp";
import { shortImage } from "@/lib/releases/image-reference";
import { STRATEGY_LABELS } from "@/lib/schemas/release";
import type { ServiceOverview } from "@/lib/services/queries";
import type { SloSummary } from "@/lib/slo/overview";

const SLO_TONE = { ok: "success", warning: "warning", critical: "danger", unknown: "neutral" } as const;

export function ServiceEnvironments({
  environments,
  slos,
}: {
  environments: ServiceOverview["environments"];
  slos?: Record<string, SloSummary>;
}) {
  if (environments.length === 0)
    return <p className="text-sm text-muted-foreground">Not set up for any environment.</p>;
  return (
    <ul className="grid gap-3 sm:grid-cols-2">
      {environments.map(({ environment, target, live, pendingReleases }) => (
        <li key={environment.id} className="rounded-md border border-border p-3 text-sm">
          <div className="flex items-center justify-between gap-2">
            <span className="font-medium">{environment.displayName}</span>
            <Badge>{STRATEGY_LABELS[target.defaultStrategy]}</Badge>
          </div>
          {slos?.[target.id] ? (
            <p className="mt-1 flex items-center gap-2 text-xs" data-testid="slo-status">
              <Badge tone={SLO_TONE[slos[target.id].level]}>SLO {slos[target.id].level}</Badge>
              {slos[target.id].budgetRemaining !== null ? (
                <span className="text-muted-foreground">
                  {Math.round(slos[target.id].budgetRemaining! * 100)} % of the error budget left
                </span>
              ) : (
                <span className="text-muted-foreground">{slos[target.id].note ?? "no data yet"}</span>
              )}
            </p>
          ) : null}
          <p className="mt-2 font-mono text-xs" title={live?.imageRef}>
            {live ? (
              shortImage(live.imageRef)
            ) : (
              <span className="font-sans text-muted-foreground">Nothing deployed through Greenlight yet</span>
            )}
          </p>
          {live?.deployedAt ? (
            <p className="text-xs text-muted-foreground">
              <Link className="hover:underline" href={`/releases/${live.id}`}>
                R-{live.number}
              </Link>
              , deployed <Timestamp value={live.deployedAt} />
            </p>
          ) : null}
          <p className="mt-1 text-xs text-muted-foreground">
            {target.cluster} · {target.namespace}
            {pendingReleases ? ` · ${pendingReleases} release${pendingReleases === 1 ? "" : "s"} waiting` : ""}
          </p>
        </li>
      ))}
    </ul>
  );
}
