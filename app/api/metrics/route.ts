import { env } from "@/lib/env";
import { registerDatabaseMetrics } from "@/lib/telemetry/database-metrics";
import { metricsResponse } from "@/lib/telemetry/endpoint";

export const dynamic = "force-dynamic";

/**
 * Prometheus's scrape of the web process: its own request, Prometheus and cluster metrics, plus
 * the job queue and runs read from the database. Machines call it, not people: it needs the
 * bearer token METRICS_TOKEN, not a session (503 while no token is configured).
 */
export async function GET(request: Request) {
  return metricsResponse(request.headers.get("authorization"), env().METRICS_TOKEN, registerDatabaseMetrics);
}
