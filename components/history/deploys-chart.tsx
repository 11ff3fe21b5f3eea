"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface WeekPoint {
  /** Monday of the week, "2026-11-02". */
  week: string;
  succeeded: number;
  failed: number;
  rolledBack: number;
}

/** Production deploys per week by outcome; the data comes from the server with the page. */
export function DeploysChart({ weeks }: { weeks: WeekPoint[] }) {
  const total = weeks.reduce((sum, w) => sum + w.succeeded + w.failed + w.rolledBack, 0);
  return (
    <figure data-testid="deploys-chart" aria-label="Production deploys per week by outcome">
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={weeks} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
          <XAxis dataKey="week" tick={{ fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
          <Tooltip labelFormatter={(week) => `Week of ${String(week)} (UTC)`} />
          <Legend />
          <Bar dataKey="succeeded" name="Succeeded" stackId="outcome" fill="#16a34a" isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="outcome" fill="#dc2626" isAnimationActive={false} />
          <Bar dataKey="rolledBack" name="Rolled back" stackId="outcome" fill="#d97706" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">
        {total} production deploys over {weeks.length} weeks:{" "}
        {weeks
          .map((w) => `week of ${w.week}: ${w.succeeded} succeeded, ${w.failed} failed, ${w.rolledBack} rolled back`)
          .join("; ")}
      </figcaption>
    </figure>
  );
}
