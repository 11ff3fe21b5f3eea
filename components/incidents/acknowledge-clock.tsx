"use client";

import { useEffect, useState } from "react";
import { acknowledgeClock } from "@/lib/incidents/procedure";
import { acknowledgeClockText } from "@/lib/incidents/rules";
import type { Severity } from "@/lib/generated/prisma/enums";
import { cn } from "@/lib/cn";

interface Props {
  severity: Severity;
  openedAt: string;
  acknowledgedAt: string | null;
  /** The server's clock when it rendered, so the first paint matches the server's HTML. */
  now: string;
}

/**
 * Time to acknowledge against the severity's target: a countdown (then "overdue by …") that ticks
 * every second while nobody has acknowledged, and a fixed reading once someone has.
 */
export function AcknowledgeClock({ severity, openedAt, acknowledgedAt, now }: Props) {
  const [clockNow, setClockNow] = useState(() => new Date(now).getTime());
  // The browser's clock may disagree with the server's: tick from the server's reading.
  const [offset] = useState(() => new Date(now).getTime() - Date.now());
  useEffect(() => {
    if (acknowledgedAt) return;
    const timer = setInterval(() => setClockNow(Date.now() + offset), 1000);
    return () => clearInterval(timer);
  }, [acknowledgedAt, offset]);

  const clock = acknowledgeClock(
    { severity, openedAt: new Date(openedAt), acknowledgedAt: acknowledgedAt ? new Date(acknowledgedAt) : null },
    new Date(clockNow),
  );
  return (
    <span
      data-testid="acknowledge-clock"
      className={cn(
        "text-sm font-medium tabular-nums",
        clock.breached ? "text-destructive" : clock.acknowledged ? "text-success" : "text-amber-700 dark:text-warning",
      )}
      // Announcing every second would drown a screen reader; the state is read when focused.
      aria-live="off"
    >
      {acknowledgeClockText(clock)}
    </span>
  );
}
