import type { WeekOutcome } from "@/lib/history/metrics";

const DAY_MS = 86_400_000;

/** Monday 00:00 UTC of the week `at` falls in (PostgreSQL's date_trunc('week', …) in UTC). */
export function weekStart(at: Date): Date {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - sinceMonday * DAY_MS);
}

/** Every week the period touches, with zeros where nothing was deployed, so the chart's axis is time. */
export function fillWeeks(from: Date, to: Date, weeks: readonly WeekOutcome[]): WeekOutcome[] {
  const byWeek = new Map(weeks.map((w) => [weekStart(w.week).getTime(), w]));
  const filled: WeekOutcome[] = [];
  for (let at = weekStart(from).getTime(); at < to.getTime(); at += 7 * DAY_MS) {
    filled.push(byWeek.get(at) ?? { week: new Date(at), succeeded: 0, failed: 0, rolledBack: 0 });
  }
  return filled;
}
