import "server-only";
import { db } from "@/lib/db";
import { metricNamesOf } from "@/lib/prometheus/promql";
import { sloSummary, type SloSummary } from "@/lib/slo/overview";

/**
 * Service targets' SLOs at a glance (these targets, or every one), by target id; Prometheus down
 * reads as "unknown". Three Prometheus queries per target: pages pass the targets they show.
 */
export async function sloSummariesByTarget(targetIds?: string[]): Promise<Record<string, SloSummary>> {
  const targets = await db.serviceTarget.findMany(targetIds ? { where: { id: { in: targetIds } } } : undefined);
  return Object.fromEntries(
    await Promise.all(
      targets.map(async (t) => [t.id, await sloSummary(t.metricsSelector, undefined, metricNamesOf(t))] as const),
    ),
  );
}
