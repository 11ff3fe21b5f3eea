import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AlertmanagerWebhookInput } from "@/lib/schemas/alertmanager";

/** A firing alert of the webhook's payload, as Alertmanager writes it. */
export function firingAlert(
  overrides: Partial<AlertmanagerWebhookInput["alerts"][number]> & { fingerprint: string },
): AlertmanagerWebhookInput["alerts"][number] {
  return {
    status: "firing",
    labels: { alertname: "HighErrorRate", service: "checkout", environment: "staging", severity: "critical" },
    annotations: {
      summary: "Checkout answers 12% of requests with 5xx",
      description: "More than 5% of checkout's requests in staging failed over the last minute.",
    },
    startsAt: "2026-12-04T10:00:00.123456789Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
    ...overrides,
  };
}

/** A notification (payload version 4) around the given alerts. */
export function notification(alerts: AlertmanagerWebhookInput["alerts"]): AlertmanagerWebhookInput {
  const alertname = alerts[0]?.labels.alertname ?? "HighErrorRate";
  return {
    version: "4",
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: "greenlight",
    groupLabels: { alertname },
    commonLabels: { alertname },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts,
  };
}

function toRequest(req: IncomingMessage, body: Buffer, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    ...(req.method === "GET" || req.method === "HEAD" ? {} : { body: new Uint8Array(body) }),
  });
}

export interface HandlerServer {
  url: string;
  /** Status codes answered, in order. */
  answered: number[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that hands every request to a fetch-style handler (a route handler's
 * logic), so a real Alertmanager can call it without a Next server.
 */
export async function serveHandler(handler: (request: Request) => Promise<Response>): Promise<HandlerServer> {
  const answered: number[] = [];
  let origin = "";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        try {
          const response = await handler(toRequest(req, Buffer.concat(chunks), origin));
          answered.push(response.status);
          res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
          res.end(Buffer.from(await response.arrayBuffer()));
        } catch (error) {
          answered.push(500);
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(error instanceof Error ? error.message : String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    answered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
