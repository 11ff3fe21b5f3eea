import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { metricsResponse } from "@/lib/telemetry/endpoint";

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's metrics: it has no web server of its own, so it answers GET /metrics on a port of
 * its own (WORKER_METRICS_PORT), with the same bearer token as the web server's /api/metrics.
 */
export async function serveMetrics(options: { host: string; port: number; token: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? "/", "http://worker").pathname;
      const response =
        req.method === "GET" && path === "/metrics"
          ? await metricsResponse(req.headers.authorization ?? null, options.token)
          : Response.json({ error: "Not found: the worker serves GET /metrics only." }, { status: 404 });
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
