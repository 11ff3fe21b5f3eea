import { TZDate } from "@date-fns/tz";

export interface FreezeWindowSpec {
  id: string;
  reason: string;
  recurrence: "NONE" | "DAILY" | "WEEKLY";
  /** One-off: when it starts. Recurring: the first day it applies. */
  startsAt: Date;
  /** One-off: when it ends. Recurring: the last instant it applies (or open-ended). */
  endsAt: Date | null;
  /** Recurring: wall-clock start in the window's time zone, "HH:mm". */
  localStartTime: string | null;
  durationMinutes: number | null;
  /** Recurring weekly: local weekdays, 0 = Sunday. */
  weekdays: number[];
  timeZone: string;
}

export interface ActiveFreeze {
  window: FreezeWindowSpec;
  endsAt: Date;
}

/** The occurrences of a recurring window that could cover `now`, as absolute intervals. */
function occurrencesAround(window: FreezeWindowSpec, now: Date): { start: Date; end: Date }[] {
  if (!window.localStartTime || !window.durationMinutes) return [];
  const [hours, minutes] = window.localStartTime.split(":").map(Number);
  const local = new TZDate(now.getTime(), window.timeZone);
  const days = Math.ceil(window.durationMinutes / (24 * 60)) + 7;
  const result: { start: Date; end: Date }[] = [];
  for (let back = 0; back <= days; back++) {
    // Local calendar day `back` days ago; TZDate resolves the wall-clock time in the zone, DST included.
    const start = new TZDate(
      local.getFullYear(),
      local.getMonth(),
      local.getDate() - back,
      hours,
      minutes,
      0,
      0,
      window.timeZone,
    );
    if (window.recurrence === "WEEKLY" && !window.weekdays.includes(start.getDay())) continue;
    const end = new Date(start.getTime() + window.durationMinutes * 60_000);
    result.push({ start: new Date(start.getTime()), end });
  }
  return result;
}

/** The freeze in force at `now`, with when it ends (the latest end when several overlap). */
export function activeFreeze(windows: readonly FreezeWindowSpec[], now: Date): ActiveFreeze | null {
  let active: ActiveFreeze | null = null;
  for (const window of windows) {
    const intervals =
      window.recurrence === "NONE"
        ? window.endsAt
          ? [{ start: window.startsAt, end: window.endsAt }]
          : []
        : occurrencesAround(window, now).filter(
            (o) => o.start >= window.startsAt && (!window.endsAt || o.start <= window.endsAt),
          );
    for (const interval of intervals) {
      if (interval.start <= now && now < interval.end && (!active || interval.end > active.endsAt)) {
        active = { window, endsAt: interval.end };
      }
    }
  }
  return active;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
