import { createHash, timingSafeEqual } from "node:crypto";
import { telemetry } from "@/lib/telemetry/metrics";

/** Compares in constant time: digests first, so the lengths never differ either. */
function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });

/**
 * The metrics in Prometheus's text format, for a caller presenting `Authorization: Bearer
 * <METRICS_TOKEN>`; without the token configured the endpoint is off. The web server's
 * /api/metrics and the worker's metrics port answer with this.
 */
export async function metricsResponse(
  authorization: string | null,
  token: string | undefined,
  before?: () => void,
): Promise<Response> {
  if (!token) return json({ error: "Metrics are off: set METRICS_TOKEN to serve them." }, 503);
  const match = authorization ? /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(authorization) : null;
  if (!match || !tokenMatches(match[1], token))
    return json({ error: "Send the metrics token as a bearer token (Authorization: Bearer …)." }, 401, {
      "WWW-Authenticate": 'Bearer realm="greenlight-metrics"',
    });
  before?.();
  const { registry } = telemetry();
  return new Response(await registry.metrics(), {
    status: 200,
    headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
  });
}
