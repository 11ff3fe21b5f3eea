import type { ReactNode } from "react";
import { BandBadge } from "@/components/history/band-badge";
import { formatDuration, formatFrequency, formatPercent, trend, type Band } from "@/lib/history/bands";
import type { PeriodMetrics } from "@/lib/history/metrics";

interface Figure {
  id: string;
  title: string;
  value: (m: PeriodMetrics) => string;
  band: (m: PeriodMetrics) => Band | null;
  number: (m: PeriodMetrics) => number | null;
  higherIsBetter: boolean;
  detail: (m: PeriodMetrics) => ReactNode;
}

export const FIGURES: Figure[] = [
  {
    id: "deployment-frequency",
    title: "Deployment frequency",
    value: (m) => formatFrequency(m.perDay),
    band: (m) => m.frequencyBand,
    number: (m) => m.perDay,
    higherIsBetter: true,
    detail: (m) => `${m.deploys} production deploy${m.deploys === 1 ? "" : "s"} in ${Math.round(m.days)} days`,
  },
  {
    id: "lead-time",
    title: "Lead time for changes",
    value: (m) => formatDuration(m.leadTimeSeconds),
    band: (m) => m.leadTimeBand,
    number: (m) => m.leadTimeSeconds,
    higherIsBetter: false,
    detail: (m) =>
      m.commitLeadTimeDeploys
        ? `release created → live; commit → live ${formatDuration(m.commitLeadTimeSeconds)} (${m.commitLeadTimeDeploys} with a commit time)`
        : "release created → live; no commit times recorded",
  },
  {
    id: "change-failure-rate",
    title: "Change failure rate",
    value: (m) => formatPercent(m.changeFailureRate),
    band: (m) => m.changeFailureBand,
    number: (m) => m.changeFailureRate,
    higherIsBetter: false,
    detail: (m) => `${m.failures} of ${m.deploys} production deploys failed`,
  },
  {
    id: "recovery-time",
    title: "Failed deployment recovery time",
    value: (m) => formatDuration(m.recoverySeconds),
    band: (m) => m.recoveryBand,
    number: (m) => m.recoverySeconds,
    higherIsBetter: false,
    detail: (m) =>
      `median of ${m.recovered} recovered failure${m.recovered === 1 ? "" : "s"}${m.unrecovered ? `; ${m.unrecovered} not recovered yet` : ""}`,
  },
];

const TREND_TEXT = { better: "better than", worse: "worse than", same: "same as" } as const;

/** The four metrics for all services together, each beside the previous period's figure. */
export function MetricCards({ current, previous }: { current: PeriodMetrics; previous: PeriodMetrics }) {
  return (
    <div className="mb-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      {FIGURES.map((f) => {
        const direction = trend(f.number(current), f.number(previous), f.higherIsBetter);
        return (
          <section
            key={f.id}
            aria-labelledby={`metric-${f.id}-title`}
            data-testid={`metric-${f.id}`}
            className="rounded-lg border border-border bg-card p-4"
          >
            <div className="flex items-start justify-between gap-2">
              <h2 id={`metric-${f.id}-title`} className="text-sm text-muted-foreground">
                {f.title}
              </h2>
              <BandBadge band={f.band(current)} testId="metric-band" />
            </div>
            <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="metric-value">
              {f.value(current)}
            </p>
            <p className="mt-1 text-xs text-muted-foreground">{f.detail(current)}</p>
            <p
              className="mt-3 flex items-center gap-2 border-t border-border pt-2 text-xs"
              data-testid="metric-previous"
            >
              <span className="text-muted-foreground">Previous period:</span>
              <span className="tabular-nums">{f.value(previous)}</span>
              <BandBadge band={f.band(previous)} />
              {direction ? (
                <span className={direction === "worse" ? "text-destructive" : "text-muted-foreground"}>
                  ({TREND_TEXT[direction]} before)
                </span>
              ) : null}
            </p>
          </section>
        );
      })}
    </div>
  );
}
