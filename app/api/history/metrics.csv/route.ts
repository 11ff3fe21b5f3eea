import { stringify } from "csv-stringify/sync";
import { getCurrentUser } from "@/lib/auth/current-user";
import { metricsCsvRows } from "@/lib/history/csv";
import { historyMetrics } from "@/lib/history/queries";
import { can } from "@/lib/rbac";
import { parseHistoryQuery } from "@/lib/schemas/history";

export const dynamic = "force-dynamic";

/**
 * The delivery metrics as CSV: an overall row, then one row per service, each with this period's
 * and the previous period's figures. A few rows per service, so built in memory (the deployment
 * log's export is the streamed one).
 */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (!can(user, "dashboard:read"))
    return Response.json({ error: "You have no role in Greenlight yet." }, { status: 403 });
  const query = parseHistoryQuery(new URL(request.url).searchParams, new Date());
  if (query.errors.length) return Response.json({ error: query.errors.join(" ") }, { status: 400 });
  const rows = await historyMetrics(query);
  const csv = stringify(metricsCsvRows(rows, query.environment), { header: true });
  const stamp = query.period.to.toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="delivery-metrics-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
