"use client";

import { useQuery } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useState } from "react";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Button } from "@/components/ui/button";
import { sideBySide } from "@/lib/slo/chart-data";
import type { RangeName } from "@/lib/slo/panels";
import type { PanelData, ServiceSlis } from "@/lib/slo/service-slis";
import { formatSli } from "@/lib/slo/thresholds";

const RANGE_NAMES: RangeName[] = ["15m", "1h", "6h", "24h", "7d"];
// SVG stroke attributes do not resolve CSS variables, hence literal colours.
const COLORS: Record<string, string> = {
  all: "#16a34a",
  blue: "#3b82f6",
  green: "#16a34a",
  stable: "#64748b",
  canary: "#f59e0b",
};
const MARKER_COLORS = { deploy: "#3b82f6", traffic: "#16a34a", rollback: "#dc2626" };

function format(panel: PanelData, value: number): string {
  if (panel.unit === "rps") return `${value.toFixed(value < 10 ? 2 : 1)} req/s`;
  if (panel.sli) return formatSli(panel.sli, value);
  return String(value);
}

function time(t: number, range: RangeName): string {
  const d = new Date(t);
  return range === "7d" || range === "24h"
    ? d.toISOString().slice(5, 16).replace("T", " ")
    : d.toISOString().slice(11, 16);
}

const INITIAL_RANGE: RangeName = "1h";

/**
 * Live SLI charts, refreshed every 15 s; the server coalesces identical queries. `initialData`
 * is the first range as the page read it on the server, so the charts start drawn.
 */
export function SliCharts({
  service,
  environment,
  initialData,
}: {
  service: string;
  environment: string;
  initialData?: ServiceSlis;
}) {
  const [range, setRange] = useState<RangeName>(INITIAL_RANGE);
  const query = useQuery({
    queryKey: ["slis", service, environment, range],
    queryFn: async (): Promise<ServiceSlis> => {
      const response = await fetch(`/api/services/${service}/slis?environment=${environment}&range=${range}`, {
        cache: "no-store",
      });
      if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error ?? `HTTP ${response.status}`);
      return response.json();
    },
    // Only for the range it was read for: react-query would seed every other range's query with it too.
    initialData: range === INITIAL_RANGE ? initialData : undefined,
    refetchInterval: 15_000,
    staleTime: 10_000,
  });

  return (
    <div className="space-y-3" data-testid={`slis-${environment}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-sm font-medium">Live SLIs</h3>
        <div className="flex gap-1" role="group" aria-label="Time range">
          {RANGE_NAMES.map((r) => (
            <Button
              key={r}
              size="sm"
              variant={r === range ? "primary" : "ghost"}
              aria-pressed={r === range}
              onClick={() => setRange(r)}
            >
              {r}
            </Button>
          ))}
        </div>
      </div>
      {query.isPending ? (
        <p className="flex items-center gap-2 text-sm text-muted-foreground">
          <Loader2 className="size-4 animate-spin" /> Loading metrics…
        </p>
      ) : query.isError ? (
        <p role="alert" className="text-sm text-destructive">
          Could not load metrics: {query.error.message}
        </p>
      ) : !query.data.ok ? (
        <p className="text-sm text-muted-foreground" data-testid="slis-unavailable">
          {query.data.message}
        </p>
      ) : (
        <>
          <SideBySide panels={query.data.panels} />
          <div className="grid gap-4 md:grid-cols-2">
            {query.data.panels.map((panel) => (
              <figure key={panel.id} className="rounded-md border border-border p-3" data-testid={`panel-${panel.id}`}>
                <figcaption className="mb-2 text-xs font-medium text-muted-foreground">{panel.title}</figcaption>
                {panel.error ? (
                  <p className="text-xs text-destructive">{panel.error}</p>
                ) : panel.rows.length === 0 ? (
                  <p className="py-8 text-center text-xs text-muted-foreground">No data in this range yet.</p>
                ) : (
                  <ResponsiveContainer width="100%" height={160}>
                    <LineChart data={panel.rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                      <CartesianGrid strokeDasharray="3 3" stroke="#94a3b833" />
                      <XAxis
                        dataKey="t"
                        type="number"
                        domain={["dataMin", "dataMax"]}
                        scale="time"
                        tickFormatter={(t: number) => time(t, range)}
                        tick={{ fontSize: 10 }}
                        stroke="#94a3b8"
                      />
                      <YAxis
                        tickFormatter={(v: number) => format(panel, v)}
                        tick={{ fontSize: 10 }}
                        width={64}
                        stroke="#94a3b8"
                        // Flat-zero series would otherwise get an arbitrary 0–4 scale; show up to the warning line instead.
                        domain={[0, (max: number) => (max > 0 ? max * 1.2 : (panel.warning ?? 1))]}
                      />
                      <Tooltip
                        labelFormatter={(t) =>
                          `${new Date(Number(t)).toISOString().slice(0, 19).replace("T", " ")} UTC`
                        }
                        formatter={(value, name) => [format(panel, Number(value)), String(name)]}
                        contentStyle={{ background: "var(--card)", border: "1px solid var(--border)", fontSize: 12 }}
                      />
                      {panel.names.length > 1 ? <Legend wrapperStyle={{ fontSize: 11 }} /> : null}
                      {panel.warning !== undefined ? (
                        <ReferenceLine
                          y={panel.warning}
                          stroke="#f59e0b"
                          strokeDasharray="4 4"
                          ifOverflow="hidden"
                          label={{ value: "warning", fontSize: 9, fill: "#f59e0b", position: "insideTopRight" }}
                        />
                      ) : null}
                      {panel.critical !== undefined ? (
                        <ReferenceLine
                          y={panel.critical}
                          stroke="#dc2626"
                          strokeDasharray="4 4"
                          ifOverflow="hidden"
                          label={{ value: "critical", fontSize: 9, fill: "#dc2626", position: "insideTopRight" }}
                        />
                      ) : null}
                      {query.data.ok
                        ? query.data.markers.map((m, i) => (
                            <ReferenceLine
                              key={`${m.t}-${i}`}
                              x={m.t}
                              stroke={MARKER_COLORS[m.kind]}
                              strokeDasharray="2 2"
                              label={{
                                value: m.kind === "traffic" ? "⇄" : m.kind === "deploy" ? "▲" : "↶",
                                fontSize: 10,
                                fill: MARKER_COLORS[m.kind],
                                position: "top",
                              }}
                            />
                          ))
                        : null}
                      {panel.names.map((name) => (
                        <Line
                          key={name}
                          type="monotone"
                          dataKey={name}
                          stroke={COLORS[name] ?? "#8b5cf6"}
                          dot={false}
                          strokeWidth={1.5}
                          isAnimationActive={false}
                          connectNulls={false}
                        />
                      ))}
                    </LineChart>
                  </ResponsiveContainer>
                )}
              </figure>
            ))}
          </div>
        </>
      )}
      {query.data?.markers.length ? (
        <ul
          className="flex flex-wrap gap-3 text-xs text-muted-foreground"
          aria-label="Markers"
          data-testid="sli-markers"
        >
          {query.data.markers.map((m, i) => (
            <li key={`${m.t}-${i}`}>
              <span style={{ color: MARKER_COLORS[m.kind] }}>
                {m.kind === "traffic" ? "⇄" : m.kind === "deploy" ? "▲" : "↶"}
              </span>{" "}
              {m.label} at {new Date(m.t).toISOString().slice(11, 19)} UTC
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** While two versions serve at once (canary and stable, blue and green): their latest values side by side. */
function SideBySide({ panels }: { panels: PanelData[] }) {
  const rows = sideBySide(panels);
  if (!rows) return null;
  const columns = panels.filter((p) => rows.some((r) => r.values[p.id] !== undefined));
  return (
    <div className="overflow-x-auto rounded-md border border-border" data-testid="slis-side-by-side">
      <table className="w-full text-sm">
        <caption className="px-3 pt-2 text-left text-xs font-medium text-muted-foreground">
          Both versions serving now
        </caption>
        <thead>
          <tr className="text-left text-xs text-muted-foreground">
            <th scope="col" className="px-3 py-1.5 font-medium">
              Version
            </th>
            {columns.map((p) => (
              <th key={p.id} scope="col" className="px-3 py-1.5 font-medium">
                {p.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name} className="border-t border-border">
              <th scope="row" className="px-3 py-1.5 text-left font-medium">
                <span
                  className="mr-1.5 inline-block size-2 rounded-full"
                  style={{ background: COLORS[row.name] ?? "#8b5cf6" }}
                />
                {row.name}
              </th>
              {columns.map((p) => {
                const value = row.values[p.id];
                const breached = value !== undefined && p.critical !== undefined && value > p.critical;
                return (
                  <td key={p.id} className={breached ? "px-3 py-1.5 font-medium text-destructive" : "px-3 py-1.5"}>
                    {value === undefined ? "—" : format(p, value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
