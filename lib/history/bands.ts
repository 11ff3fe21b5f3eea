/**
 * The arithmetic and banding of the four delivery metrics, as plain functions (client-safe: the
 * page, the CSV export and the tests share them). The SQL that gathers the counts and medians is
 * in metrics.ts; the definitions are written out there and in the README.
 *
 * Bands follow DORA's Accelerate State of DevOps Report 2023, "Software delivery performance"
 * clusters (each cluster's typical values; the 2024 report's differ, e.g. change failure rate
 * elite 5 %, high 20 %, medium 10 %, low 40 %, so these are 2023's):
 *
 * | cluster | deployment frequency            | lead time for changes  | change failure rate | failed deployment recovery time |
 * | elite   | on demand                       | less than one day      | 5 %                 | less than one hour              |
 * | high    | once a day to once a week       | one day to one week    | 10 %                | less than one day               |
 * | medium  | once a week to once a month     | one week to one month  | 15 %                | one day to one week             |
 * | low     | once a week to once a month     | one week to one month  | 64 %                | one month to six months         |
 *
 * DORA publishes no cut-offs, and in 2023 its low cluster is as fast as medium, so the cut-offs
 * here are a convention: each band is its cluster's range, starting where the better cluster's
 * ends, and anything slower or worse than medium is low. For change failure rate they are Apache DevLake's
 * published benchmarks for the 2023 report: (0, 5 %] elite, (5 %, 10 %] high, (10 %, 15 %] medium,
 * above 15 % low. Sources: DevLake's docs (Metrics/CFR.md); the cluster tables as Octopus Deploy
 * reproduced them for 2023 and 2024.
 */

export type Band = "elite" | "high" | "medium" | "low";

export const BANDS: readonly Band[] = ["elite", "high", "medium", "low"];

export const HOUR = 3600;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** DORA's "month" for these bands: 30 days. */
export const MONTH = 30 * DAY;

/** The exact cut-offs, so the page and the README can print what the code does. */
export const BAND_RULES = {
  deploymentFrequency: {
    elite: "more than 1 production deploy a day on average",
    high: "from 1 a week up to 1 a day",
    medium: "from 1 a month (30 days) up to 1 a week",
    low: "fewer than 1 a month",
  },
  leadTime: {
    elite: "under 1 day",
    high: "1 day up to 1 week",
    medium: "1 week up to 30 days",
    low: "30 days or more",
  },
  changeFailureRate: { elite: "0–5 %", high: "over 5 % up to 10 %", medium: "over 10 % up to 15 %", low: "over 15 %" },
  recoveryTime: {
    elite: "under 1 hour",
    high: "1 hour up to 1 day",
    medium: "1 day up to 1 week",
    low: "1 week or more",
  },
} as const satisfies Record<string, Record<Band, string>>;

/** Production deploys per day over a period of `days` days (null when the period is empty). */
export function deploysPerDay(deploys: number, days: number): number | null {
  if (!(days > 0)) return null;
  return deploys / days;
}

export function deploymentFrequencyBand(perDay: number | null): Band | null {
  if (perDay === null) return null;
  if (perDay > 1) return "elite";
  if (perDay >= 1 / 7) return "high";
  if (perDay >= 1 / 30) return "medium";
  return "low";
}

/** Lead time for changes (seconds, a median) → band; null when nothing was deployed. */
export function leadTimeBand(seconds: number | null): Band | null {
  if (seconds === null) return null;
  if (seconds < DAY) return "elite";
  if (seconds < WEEK) return "high";
  if (seconds < MONTH) return "medium";
  return "low";
}

/** Failures / deploys as a fraction (0–1); null when there were no production deploys. */
export function changeFailureRate(failures: number, deploys: number): number | null {
  if (deploys <= 0) return null;
  return failures / deploys;
}

export function changeFailureRateBand(rate: number | null): Band | null {
  if (rate === null) return null;
  // Compared in whole hundredths of a percent so 1/20 is exactly 5 % (elite), not 5.000000001 %.
  const basisPoints = Math.round(rate * 10_000);
  if (basisPoints <= 500) return "elite";
  if (basisPoints <= 1000) return "high";
  if (basisPoints <= 1500) return "medium";
  return "low";
}

export function recoveryTimeBand(seconds: number | null): Band | null {
  if (seconds === null) return null;
  if (seconds < HOUR) return "elite";
  if (seconds < DAY) return "high";
  if (seconds < WEEK) return "medium";
  return "low";
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A duration as people read it on the page: "45 min", "5.2 h", "3.4 days". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < HOUR) return `${Math.max(0, Math.round(seconds / 60))} min`;
  if (seconds < DAY) return `${(seconds / HOUR).toFixed(1)} h`;
  return `${(seconds / DAY).toFixed(1)} days`;
}

export function formatPercent(rate: number | null): string {
  if (rate === null) return "—";
  return `${(rate * 100).toFixed(1)} %`;
}

export function formatFrequency(perDay: number | null): string {
  if (perDay === null) return "—";
  if (perDay >= 1) return `${perDay.toFixed(1)} a day`;
  if (perDay * 7 >= 1) return `${(perDay * 7).toFixed(1)} a week`;
  return `${(perDay * 30).toFixed(1)} a month`;
}

/** Which way a metric moved against the previous period, and whether that is better. */
export function trend(
  current: number | null,
  previous: number | null,
  higherIsBetter: boolean,
): "better" | "worse" | "same" | null {
  if (current === null || previous === null) return null;
  if (Math.abs(current - previous) < 1e-9) return "same";
  return current > previous === higherIsBetter ? "better" : "worse";
}
