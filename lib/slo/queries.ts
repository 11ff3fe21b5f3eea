import "server-only";
import { db } from "@/lib/db";
import { metricNamesOf } from "@/lib/prometheus/promql";
import { sloSummary, type SloSummary } from "@/lib/slo/overview";

/** Every service target's SLO at a glance, by target id; Prometheus down reads as "unknown". */
export async function sloSummariesByTarget(): Promise<Record<string, SloSummary>> {
  const targets = await db.serviceTarget.findMany();
  return Object.fromEntries(
    await Promise.all(
      targets.map(async (t) => [t.id, await sloSummary(t.metricsSelector, undefined, metricNamesOf(t))] as const),
    ),
  );
}
