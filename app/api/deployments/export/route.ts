import { getCurrentUser } from "@/lib/auth/current-user";
import { exportFileName } from "@/lib/deploy/log";
import { exportLogCsv } from "@/lib/deploy/log-export";
import { log } from "@/lib/log";
import { can } from "@/lib/rbac";
import { filterOf, parseLogQuery } from "@/lib/schemas/deployment-log";

export const dynamic = "force-dynamic";

/** The filtered deployment log as CSV, every page of it, streamed (see lib/deploy/log-export.ts). */
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (!can(user, "dashboard:read"))
    return Response.json({ error: "You have no role in Greenlight yet." }, { status: 403 });
  const { query, errors } = parseLogQuery(new URL(request.url).searchParams);
  if (errors.length) return Response.json({ error: errors.join(" "), errors }, { status: 400 });
  let body: ReadableStream<Uint8Array>;
  try {
    body = await exportLogCsv(filterOf(query), { signal: request.signal });
  } catch (error) {
    log.error({ err: error }, "deployment log export could not start");
    return Response.json({ error: "The export could not start; try again." }, { status: 503 });
  }
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${exportFileName(new Date())}"`,
      "Cache-Control": "no-store",
      // Rows go out as they are read; a buffering proxy would hold the whole file.
      "X-Accel-Buffering": "no",
    },
  });
}
