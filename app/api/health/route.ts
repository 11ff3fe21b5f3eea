export const dynamic = "force-dynamic";

const startedAt = Date.now();

/** Liveness: the process is up and answering. It does not touch the database on purpose. */
export function GET() {
  return Response.json({ status: "ok", uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
}
