import { db } from "@/lib/db";
import { prometheus, type PrometheusGateway } from "@/lib/prometheus/client";
import { isValidSelector, metricNamesOf } from "@/lib/prometheus/promql";
import { toRows, type ChartRow } from "@/lib/slo/chart-data";
import { panels, rangeSettings, type Panel, type RangeName } from "@/lib/slo/panels";
import { SLI_THRESHOLDS } from "@/lib/slo/thresholds";

export interface PanelData {
  id: Panel["id"];
  title: string;
  unit: Panel["unit"];
  sli: Panel["sli"];
  warning?: number;
  critical?: number;
  target?: number;
  names: string[];
  rows: ChartRow[];
  error?: string;
}

export interface Marker {
  t: number;
  kind: "deploy" | "traffic" | "rollback";
  label: string;
}

export type ServiceSlis =
  | { ok: true; range: RangeName; panels: PanelData[]; markers: Marker[] }
  | { ok: false; reason: "not_configured" | "no_selector" | "unavailable"; message: string; markers: Marker[] };

/** A service's SLI panels for one environment and range, with deploy and rollback markers. */
export async function serviceSlis(
  serviceId: string,
  environmentId: string,
  range: RangeName,
  gateway: PrometheusGateway | null = prometheus(),
  now = Date.now(),
): Promise<ServiceSlis> {
  const { seconds, step, window } = rangeSettings(range);
  const start = now - seconds * 1000;
  const runs = await db.deploymentRun.findMany({
    where: { serviceId, environmentId, createdAt: { gte: new Date(start) }, kind: { in: ["DEPLOY", "ROLLBACK"] } },
    select: {
      kind: true,
      createdAt: true,
      trafficSwitchedAt: true,
      finishedAt: true,
      toImage: true,
      status: true,
      requestedById: true,
      incidentEvents: { where: { kind: "ROLLBACK" }, select: { runId: true } },
    },
    orderBy: { createdAt: "asc" },
  });
  const markers: Marker[] = runs.flatMap((r) => {
    const what = r.kind === "DEPLOY" ? "deploy" : r.requestedById ? "rollback" : "automatic rollback";
    const label = `${what} ${r.toImage?.split(":").at(-1) ?? ""}`.trim();
    const list: Marker[] = [{ t: r.createdAt.getTime(), kind: r.kind === "DEPLOY" ? "deploy" : "rollback", label }];
    if (r.trafficSwitchedAt)
      list.push({ t: r.trafficSwitchedAt.getTime(), kind: "traffic", label: "traffic switched" });
    // A canary its analysis stopped rolled itself back: marked where its canary went to zero.
    if (r.kind === "DEPLOY" && r.finishedAt && r.incidentEvents.length > 0)
      list.push({ t: r.finishedAt.getTime(), kind: "rollback", label: "canary rolled back automatically" });
    return list;
  });
  if (!gateway)
    return {
      ok: false,
      reason: "not_configured",
      message:
        "Prometheus is not configured (PROMETHEUS_URL). Install Debian's prometheus and restart npm start to see live SLIs.",
      markers,
    };
  const target = await db.serviceTarget.findUnique({
    where: { serviceId_environmentId: { serviceId, environmentId } },
  });
  const selector = target?.metricsSelector ?? "";
  if (!target || !selector || !isValidSelector(selector))
    return {
      ok: false,
      reason: "no_selector",
      message: "This service has no valid metrics selector; an admin sets one in Admin → Services.",
      markers,
    };
  let queries: Panel[];
  try {
    queries = panels(selector, window, metricNamesOf(target));
  } catch (error) {
    return {
      ok: false,
      reason: "no_selector",
      message: `This service's metric names are not usable (${error instanceof Error ? error.message : String(error)}); an admin fixes them in Admin → Services.`,
      markers,
    };
  }

  const data = await Promise.all(
    queries.map(async (panel): Promise<PanelData> => {
      const threshold = panel.sli ? SLI_THRESHOLDS[panel.sli] : undefined;
      const base = {
        id: panel.id,
        title: panel.title,
        unit: panel.unit,
        sli: panel.sli,
        warning: threshold?.warning,
        critical: threshold?.critical,
        target: threshold?.target.max,
      };
      const result = await gateway.queryRange(panel.query, start, now, step);
      if (!result.ok) return { ...base, names: [], rows: [], error: result.error.message };
      return { ...base, ...toRows(result.value) };
    }),
  );
  if (data.every((p) => p.error))
    return { ok: false, reason: "unavailable", message: `Prometheus did not answer: ${data[0].error}`, markers };
  return { ok: true, range, panels: data, markers };
}
