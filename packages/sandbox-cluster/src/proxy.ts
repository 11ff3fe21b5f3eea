/**
 * The pods/proxy and services/proxy subresources, as kube-apiserver serves them: a request to
 * /api/v1/namespaces/<ns>/pods/<name>[:<port>]/proxy/<path> is forwarded to the pod and its
 * answer comes back as it is (status, headers, body). What kube-apiserver itself answers when it
 * cannot forward is answered the same way, as a Status: 404 for a pod that does not exist, 400
 * "address not allowed" for a pod without an IP (never scheduled, not started), 503 when nothing
 * listens at the pod's address, and 503 "no endpoints available" for a Service without ready pods.
 */
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import type { ApiCore } from "./api";
import { typeByKind } from "./resources";
import { matchesRequirements } from "./selectors";
import { ApiError, errors } from "./status";
import type { Pod } from "./types";

// Connection-level headers a proxy does not pass on, and the caller's credentials for the API server.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "authorization",
  "host",
]);

const forwarded = (headers: IncomingMessage["headers"]) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));

/** "name", "name:port" or "scheme:name:port", as the proxy subresource takes them. */
function objectName(nameWithPort: string): string {
  const parts = nameWithPort.split(":");
  return parts.length === 3 ? parts[1] : parts[0];
}

export interface ProxyTarget {
  api: ApiCore;
  /** Where the pod's demo server listens on loopback, when it runs. */
  podPort(uid: string): number | undefined;
}

export async function proxyToPod(
  target: ProxyTarget,
  req: IncomingMessage,
  res: ServerResponse,
  resource: "pods" | "services",
  namespace: string,
  nameWithPort: string,
  path: string,
): Promise<void> {
  const name = objectName(nameWithPort);
  const pod = resource === "pods" ? podNamed(target.api, namespace, name) : endpointOf(target.api, namespace, name);
  const ip = pod.status?.podIP;
  if (!ip) throw errors.badRequest("address not allowed");
  const port = target.podPort(pod.metadata.uid);
  if (port === undefined)
    throw new ApiError(
      503,
      "ServiceUnavailable",
      `error trying to reach service: dial tcp ${ip}:80: connect: connection refused`,
    );

  await new Promise<void>((resolve) => {
    const upstream = request(
      { host: "127.0.0.1", port, method: req.method, path, headers: forwarded(req.headers) },
      (answer) => {
        const headers = Object.fromEntries(
          Object.entries(answer.headers).filter(([h]) => !HOP_BY_HOP.has(h.toLowerCase()) || h === "transfer-encoding"),
        );
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on("end", () => resolve());
        answer.on("error", () => resolve());
      },
    );
    upstream.on("error", (error) => {
      if (!res.headersSent) {
        const status = new ApiError(503, "ServiceUnavailable", `error trying to reach service: ${error.message}`);
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify(status.toStatus()));
      } else res.destroy();
      resolve();
    });
    req.pipe(upstream);
  });
}

function podNamed(api: ApiCore, namespace: string, name: string): Pod {
  const pod = api.find(typeByKind("Pod"), namespace, name) as Pod | undefined;
  if (!pod) throw errors.notFound("pods", "", name);
  return pod;
}

/** A ready pod behind the Service, as kube-apiserver picks one of its endpoints. */
function endpointOf(api: ApiCore, namespace: string, name: string): Pod {
  const service = api.find(typeByKind("Service"), namespace, name) as
    | { spec?: { selector?: Record<string, string> } }
    | undefined;
  if (!service) throw errors.notFound("services", "", name);
  const selector = service.spec?.selector ?? {};
  const requirements = Object.entries(selector).map(([key, value]) => ({ key, op: "=" as const, value }));
  const ready = api
    .listAs<Pod>(typeByKind("Pod"), namespace)
    .filter(
      (p) =>
        Object.keys(selector).length > 0 &&
        !p.metadata.deletionTimestamp &&
        p.status?.podIP &&
        p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
        matchesRequirements(requirements, p.metadata.labels),
    );
  if (ready.length === 0) throw new ApiError(503, "ServiceUnavailable", `no endpoints available for service "${name}"`);
  return ready[Math.floor(Math.random() * ready.length)];
}
