import { TZDate } from "@date-fns/tz";
import { addDays, addHours } from "date-fns";
import type { FollowUpDue } from "@/lib/generated/prisma/enums";

/**
 * When a deploy's follow-ups come due. The first hour and 4 hours are elapsed time; the first
 * day and the first week are calendar days in the environment's zone, at the wall-clock time the
 * deploy finished: someone who deployed on Friday at 17:00 expects the week's review the next
 * Friday at 17:00, not at 16:00 because summer time ended in between.
 */
export const FOLLOW_UP_DUES = [
  "FIRST_HOUR",
  "FOUR_HOURS",
  "FIRST_DAY",
  "FIRST_WEEK",
] as const satisfies readonly FollowUpDue[];

export const FOLLOW_UP_DUE_LABELS: Record<FollowUpDue, string> = {
  FIRST_HOUR: "First hour",
  FOUR_HOURS: "After 4 hours",
  FIRST_DAY: "First day",
  FIRST_WEEK: "First week",
};

export function followUpDueAt(deployedAt: Date, due: FollowUpDue, timeZone: string): Date {
  switch (due) {
    case "FIRST_HOUR":
      return addHours(deployedAt, 1);
    case "FOUR_HOURS":
      return addHours(deployedAt, 4);
    case "FIRST_DAY":
      return new Date(addDays(new TZDate(deployedAt.getTime(), timeZone), 1).getTime());
    case "FIRST_WEEK":
      return new Date(addDays(new TZDate(deployedAt.getTime(), timeZone), 7).getTime());
  }
}

export type FollowUpState = "done" | "closed" | "overdue" | "open";

/** Where an item stands at `now`: ticked, closed by a rollback or newer deploy, overdue or open. */
export function followUpState(
  item: { checkedAt: Date | null; closedAt: Date | null; dueAt: Date },
  now: Date,
): FollowUpState {
  if (item.checkedAt) return "done";
  if (item.closedAt) return "closed";
  return item.dueAt.getTime() <= now.getTime() ? "overdue" : "open";
}

/** "Fri 12 Dec, 17:00 CET": a due time as read in the environment's zone. */
export function formatDueTime(dueAt: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(dueAt);
}

/** The defaults, from the post-deployment checklists of the deployment guides the product follows. */
export const DEFAULT_FOLLOW_UPS: { label: string; due: FollowUpDue }[] = [
  { label: "Error rate and latency watched against the baseline", due: "FIRST_HOUR" },
  { label: "Logs checked for new exceptions", due: "FIRST_HOUR" },
  { label: "Key endpoints answering (smoke checks green)", due: "FIRST_HOUR" },
  { label: "Database migrations confirmed applied and healthy", due: "FOUR_HOURS" },
  { label: "Dashboards and alerts reviewed for anything unusual", due: "FOUR_HOURS" },
  { label: "Backups completed and replication healthy", due: "FIRST_DAY" },
  { label: "Error budget burn reviewed", due: "FIRST_DAY" },
  { label: "Retrospective held and its notes linked", due: "FIRST_WEEK" },
];
