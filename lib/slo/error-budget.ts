/**
 * Availability SLO arithmetic (DESIGN.md): 99.95 % over 30 days, an error budget of 0.05 %
 * (about 22 minutes a month); alert when a 4-hour window drops under 99.9 %, critical when a
 * 1-hour window drops under 99 %.
 */
export interface AvailabilitySlo {
  target: number;
  windowDays: number;
  warning: { window: "4h"; below: number };
  critical: { window: "1h"; below: number };
}

export const DEFAULT_AVAILABILITY_SLO: AvailabilitySlo = {
  target: 0.9995,
  windowDays: 30,
  warning: { window: "4h", below: 0.999 },
  critical: { window: "1h", below: 0.99 },
};

/** Minutes of full outage the budget allows over the window. */
export function budgetMinutes(slo: AvailabilitySlo = DEFAULT_AVAILABILITY_SLO): number {
  return (1 - slo.target) * slo.windowDays * 24 * 60;
}

/** Share of the error budget left (1 = untouched, 0 = spent, negative = overspent). */
export function budgetRemaining(availability: number, slo: AvailabilitySlo = DEFAULT_AVAILABILITY_SLO): number {
  return 1 - (1 - availability) / (1 - slo.target);
}

/**
 * "99.31 %". Rounded down (with a hair of tolerance for binary fractions), so an availability
 * just under the target never reads as meeting it.
 */
export function formatAvailability(ratio: number): string {
  return `${(Math.floor(ratio * 10_000 + 1e-6) / 100).toFixed(2)} %`;
}

/** How fast the budget burns: 1 spends exactly the budget over the SLO window. */
export function burnRate(errorRatio: number, slo: AvailabilitySlo = DEFAULT_AVAILABILITY_SLO): number {
  return errorRatio / (1 - slo.target);
}

export type SloLevel = "ok" | "warning" | "critical" | "unknown";

/** Status from the 1-hour and 4-hour availabilities (null when Prometheus had no data). */
export function availabilityStatus(
  availability1h: number | null,
  availability4h: number | null,
  slo: AvailabilitySlo = DEFAULT_AVAILABILITY_SLO,
): SloLevel {
  if (availability1h === null && availability4h === null) return "unknown";
  if (availability1h !== null && availability1h < slo.critical.below) return "critical";
  if (availability4h !== null && availability4h < slo.warning.below) return "warning";
  return "ok";
}

/**
 * Latency SLO: P95 under 100 ms; alert when above 200 ms for 10 minutes, critical when above
 * 500 ms for 5. `samples` are (time, seconds) pairs, newest last.
 */
export function latencyStatus(samples: readonly [number, number][], now: number): SloLevel {
  const sustained = (above: number, minutes: number) => {
    const recent = samples.filter(([t]) => t >= now - minutes * 60_000);
    const covers = recent.length > 0 && recent[0][0] <= now - (minutes * 60_000 - 60_000);
    return covers && recent.every(([, v]) => v > above);
  };
  if (samples.length === 0) return "unknown";
  if (sustained(0.5, 5)) return "critical";
  if (sustained(0.2, 10)) return "warning";
  return "ok";
}
