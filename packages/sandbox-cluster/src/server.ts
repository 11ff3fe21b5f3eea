/**
 * The HTTP front of the sandbox: routes Kubernetes REST paths to ApiCore, streams
 * watches, serves discovery, checks the bearer token, applies injected faults, and hosts
 * the demo-only endpoints under /sandbox/.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { ApiCore, DeleteOptions } from "./api";
import { withTypeMeta } from "./api";
import { apiGroup, apiGroupList, apiResourceList, coreVersions, versionInfo } from "./discovery";
import type { Faults } from "./faults";
import { openApiJson, openApiProtobuf } from "./openapi";
import { applyPatch } from "./patch";
import { proxyToPod } from "./proxy";
import {
  acceptsOnlyProtobuf,
  canEncodeKind,
  decodeProtobufBody,
  encodeProtobufBody,
  isProtobuf,
  notAcceptable,
  PROTOBUF_MEDIA_TYPE,
  type ExpectedKind,
} from "./protobuf";
import { apiVersionOf, findType, type ResourceType } from "./resources";
import { matchesRequirements, parseFieldSelector, parseLabelSelector } from "./selectors";
import { ApiError, errors, failureStatus } from "./status";
import { typeIdOf, type StoreEvent } from "./store";
import { toTable, wantsTable } from "./tables";
import { isObject, type JsonObject, type KubeObject } from "./types";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface DemoEndpoints {
  /** GET /sandbox/<name>: JSON answers of demo-only endpoints (targets, load, …). */
  get(name: string): unknown;
  post(name: string, body: unknown): unknown;
  /** Where a running pod's demo server listens on loopback (the proxy subresource forwards there). */
  podPort(uid: string): number | undefined;
}

/** API requests received, by kube-apiserver's verb (its `apiserver_request_total`, here without labels). */
export type RequestCounts = Record<string, number>;

/** kube-apiserver's name for what a request on a resource does. */
export function verbOf(method: string, route: Route, query: URLSearchParams): string {
  const watching = query.get("watch") === "1" || query.get("watch") === "true";
  if (route.subresource === "proxy") return "proxy";
  switch (method) {
    case "GET":
      return route.name ? "get" : watching ? "watch" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return route.name ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export class SandboxServer {
  private listener: NetServer | undefined;
  private readonly http: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  private address = "";
  /** Resource requests that passed authentication, by verb: what a client costs the API server. */
  readonly requests: RequestCounts = {};

  constructor(
    private readonly api: ApiCore,
    private readonly token: string,
    private readonly faults: Faults,
    private readonly demo: DemoEndpoints,
  ) {}

  /**
   * Listens on one port for both plain HTTP and HTTPS (told apart by the first byte: a TLS
   * handshake starts with 0x16). Returns the port.
   */
  async listen(port: number, tls: { key: string; cert: string }, host = "127.0.0.1"): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => this.fail(res, error));
    };
    const plain = createServer(handler);
    const secure = createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
    for (const server of [plain, secure]) {
      server.keepAliveTimeout = 30_000;
      this.http.push(server);
    }
    const route = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.once("readable", () => {
        const first = socket.read(1) as Buffer | null;
        if (!first) {
          socket.destroy();
          return;
        }
        socket.unshift(first);
        (first[0] === 0x16 ? secure : plain).emit("connection", socket);
      });
      socket.on("error", () => socket.destroy());
    };
    this.listener = createNetServer({ pauseOnConnect: false }, route);
    await new Promise<void>((resolve, reject) => {
      this.listener?.once("error", reject);
      this.listener?.listen(port, host, () => resolve());
    });
    const { port: actual } = this.listener.address() as AddressInfo;
    this.address = `${host}:${actual}`;
    return actual;
  }

  /**
   * Ends every open watch: cleanly, as kube-apiserver does at a watch's timeout (clients resume
   * from their last resourceVersion), or `abrupt`ly, the connection cut as by a network fault.
   */
  dropWatches(abrupt = false): number {
    const count = this.watches.size;
    for (const res of this.watches) {
      if (abrupt) res.socket?.destroy();
      else res.end();
    }
    this.watches.clear();
    return count;
  }

  async close(): Promise<void> {
    for (const res of this.watches) res.end();
    this.watches.clear();
    const listener = this.listener;
    if (!listener) return;
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const server of this.http) server.close();
    // Keep-alive and watch connections would hold the listener open; a stopped sandbox drops them.
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (path.startsWith("/sandbox/")) return this.handleDemo(req, res, path.slice("/sandbox/".length), method);
    if (path === "/healthz" || path === "/readyz" || path === "/livez") return this.text(res, 200, "ok");
    // /version is JSON whatever the client accepts, as in kube-apiserver.
    if (path === "/version") return this.writeJson(res, 200, versionInfo());

    const auth = req.headers.authorization ?? "";
    if (auth !== `Bearer ${this.token}`) throw errors.unauthorized();

    const route = path.startsWith("/api") ? this.route(path) : undefined;
    if (route) {
      const verb = verbOf(method, route, url.searchParams);
      this.requests[verb] = (this.requests[verb] ?? 0) + 1;
    }
    const fault = this.faults.decide(
      method,
      path,
      route?.name ? { resource: route.type.resource, group: route.type.group, name: route.name } : undefined,
    );
    if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.error) throw fault.error;

    if (path === "/openapi/v2") return this.openApi(req, res);
    const discovery = this.discovery(path);
    if (discovery) {
      if (method !== "GET") throw errors.methodNotAllowed();
      return this.json(res, 200, discovery);
    }
    if (!route) throw errors.pathNotFound();
    if (route.subresource === "proxy") return this.proxy(req, res, url, route);
    await this.handleResource(req, res, url, method, route);
  }

  /** pods/proxy and services/proxy (proxy.ts): the rest of the path and the query go to the pod. */
  private async proxy(req: IncomingMessage, res: ServerResponse, url: URL, route: Route): Promise<void> {
    const resource = route.type.resource;
    if ((resource !== "pods" && resource !== "services") || !route.namespace || !route.name)
      throw errors.pathNotFound();
    const tail = /\/proxy(\/.*)?$/.exec(url.pathname)?.[1] ?? "/";
    await proxyToPod(
      { api: this.api, podPort: (uid) => this.demo.podPort(uid) },
      req,
      res,
      resource,
      route.namespace,
      route.name,
      `${tail}${url.search}`,
    );
  }

  /** /openapi/v2 (openapi.ts): gnostic protobuf for kubectl, JSON otherwise. */
  private openApi(req: IncomingMessage, res: ServerResponse): void {
    if ((req.headers.accept ?? "").includes("protobuf")) {
      const body = openApiProtobuf();
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
      res.end(body);
      return;
    }
    this.writeJson(res, 200, openApiJson(String(versionInfo().gitVersion)));
  }

  private discovery(path: string): JsonObject | undefined {
    if (path === "/api") return coreVersions(this.address);
    if (path === "/api/v1") return apiResourceList("", "v1");
    if (path === "/apis") return apiGroupList();
    const group = /^\/apis\/([^/]+)$/.exec(path);
    if (group) return apiGroup(group[1]);
    const groupVersion = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (groupVersion) return apiResourceList(groupVersion[1], groupVersion[2]);
    return undefined;
  }

  /** /api/v1/... or /apis/<group>/<version>/..., namespaced or not. */
  private route(path: string): Route | undefined {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group = "";
    let version: string;
    let rest: string[];
    if (parts[0] === "api") {
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === "apis") {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else return undefined;
    if (!version || rest.length === 0) return undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const type = findType(group, version, rest[2]);
      if (!type || !type.namespaced) throw errors.pathNotFound();
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    const type = findType(group, version, rest[0]);
    if (!type) throw errors.pathNotFound();
    return { type, name: rest[1], subresource: rest[2] };
  }

  private async handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
    route: Route,
  ): Promise<void> {
    const { type, namespace, name, subresource } = route;
    const query = url.searchParams;
    const dryRunParam = query.getAll("dryRun");
    if (dryRunParam.some((d) => d !== "All"))
      throw errors.badRequest(`Invalid dry run value: ${dryRunParam.join(",")}`);
    const dryRun = dryRunParam.includes("All");
    if (subresource && !(type.subresources as string[]).includes(subresource)) throw errors.pathNotFound();
    if (acceptsOnlyProtobuf(req.headers.accept) && !this.answersInProtobuf(req, type, subresource, query)) {
      // Refused before anything is written, as kube-apiserver negotiates the output first.
      throw notAcceptable();
    }
    if (subresource === "scale") return this.handleScale(req, res, method, route, dryRun);
    const statusOnly = subresource === "status" ? ({ subresource: "status" } as const) : {};

    if (!name) {
      switch (method) {
        case "GET": {
          if (query.get("watch") === "1" || query.get("watch") === "true")
            return this.watch(req, res, type, namespace, query);
          return this.list(req, res, type, namespace, query);
        }
        case "POST": {
          const created = this.api.create(type, namespace, await readObject(req, expectedKind(type)), { dryRun });
          return this.json(res, 201, created);
        }
        case "DELETE": {
          const objects = this.filtered(type, namespace, query);
          for (const obj of objects) this.api.delete(type, obj.metadata.namespace, obj.metadata.name, { dryRun });
          return this.json(res, 200, {
            kind: `${type.kind}List`,
            apiVersion: apiVersionOf(type),
            metadata: {},
            items: objects as unknown as JsonObject[],
          });
        }
        default:
          throw errors.methodNotAllowed();
      }
    }
    switch (method) {
      case "GET": {
        const obj = this.api.get(type, namespace, name);
        if (wantsTable(req.headers.accept))
          return this.json(res, 200, toTable(type, [obj], obj.metadata.resourceVersion, query.get("includeObject")));
        return this.json(res, 200, obj);
      }
      case "PUT":
        return this.json(
          res,
          200,
          this.api.replace(type, namespace, name, await readObject(req, expectedKind(type)), { dryRun, ...statusOnly }),
        );
      case "PATCH": {
        const contentType = req.headers["content-type"] ?? "";
        return this.json(
          res,
          200,
          this.api.patch(type, namespace, name, contentType, await readJson(req), { dryRun, ...statusOnly }),
        );
      }
      case "DELETE": {
        const body = await readObject(req, { apiVersion: apiVersionOf(type), kind: "DeleteOptions" }, true);
        const options: DeleteOptions = { dryRun };
        const policy = query.get("propagationPolicy") ?? (isObject(body) ? body.propagationPolicy : undefined);
        if (policy === "Orphan" || policy === "Background" || policy === "Foreground")
          options.propagationPolicy = policy;
        if (isObject(body) && isObject(body.preconditions))
          options.preconditions = body.preconditions as DeleteOptions["preconditions"];
        if (isObject(body) && Array.isArray(body.dryRun) && body.dryRun.includes("All")) options.dryRun = true;
        return this.json(res, 200, this.api.delete(type, namespace, name, options));
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  /** The autoscaling/v1 Scale subresource of Deployments and ReplicaSets (kubectl scale). */
  private async handleScale(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    route: Route,
    dryRun: boolean,
  ): Promise<void> {
    const { type, namespace, name } = route;
    if (!name) throw errors.pathNotFound();
    const toScale = (obj: KubeObject): JsonObject => {
      const selector = isObject(obj.spec?.selector) ? (obj.spec?.selector as JsonObject) : {};
      const labels = isObject(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : {};
      return {
        kind: "Scale",
        apiVersion: "autoscaling/v1",
        metadata: {
          name: obj.metadata.name,
          namespace: obj.metadata.namespace ?? "",
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          creationTimestamp: obj.metadata.creationTimestamp,
        },
        spec: { replicas: Number(obj.spec?.replicas ?? 0) },
        status: {
          replicas: Number(obj.status?.replicas ?? 0),
          selector: Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
        },
      };
    };
    const current = this.api.get(type, namespace, name);
    if (method === "GET") return this.json(res, 200, toScale(current));
    if (method !== "PUT" && method !== "PATCH") throw errors.methodNotAllowed();
    const body =
      method === "PUT" ? await readObject(req, { apiVersion: "autoscaling/v1", kind: "Scale" }) : await readJson(req);
    let scale: JsonObject = toScale(current);
    if (method === "PUT") scale = body as JsonObject;
    else {
      scale = applyPatch(scale, req.headers["content-type"] ?? "", body);
    }
    const meta = isObject(scale.metadata) ? scale.metadata : {};
    const spec = isObject(scale.spec) ? scale.spec : {};
    const next = { ...current, spec: { ...(current.spec ?? {}), replicas: spec.replicas } } as KubeObject;
    if (typeof meta.resourceVersion === "string" && meta.resourceVersion)
      next.metadata.resourceVersion = meta.resourceVersion;
    const updated = this.api.replace(type, namespace, name, next, { dryRun });
    return this.json(res, 200, toScale(updated));
  }

  /** Whether this request's answer has a protobuf form: objects, lists and Status of the served kinds do; Scale, tables and watch streams do not here. */
  private answersInProtobuf(
    req: IncomingMessage,
    type: ResourceType,
    subresource: string | undefined,
    query: URLSearchParams,
  ): boolean {
    if (subresource === "scale" || wantsTable(req.headers.accept)) return false;
    if (req.method === "GET" && (query.get("watch") === "1" || query.get("watch") === "true")) return false;
    return canEncodeKind(apiVersionOf(type), type.kind);
  }

  private filtered(type: ResourceType, namespace: string | undefined, query: URLSearchParams): KubeObject[] {
    const match = this.matcher(query);
    return this.api.list(type, namespace).filter(match);
  }

  private matcher(query: URLSearchParams): (obj: KubeObject) => boolean {
    const labelSelector = query.get("labelSelector");
    const fieldSelector = query.get("fieldSelector");
    const requirements = labelSelector ? parseLabelSelector(labelSelector) : [];
    const fields = fieldSelector ? parseFieldSelector(fieldSelector) : () => true;
    return (obj) => matchesRequirements(requirements, obj.metadata.labels) && fields(obj);
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const items = this.filtered(type, namespace, query);
    const resourceVersion = String(this.api.store.resourceVersion);
    if (wantsTable(req.headers.accept))
      return this.json(res, 200, toTable(type, items, resourceVersion, query.get("includeObject")));
    // A typed list's items carry no apiVersion/kind on the wire.
    const bare = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    this.json(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion },
      items: bare as unknown as JsonObject[],
    });
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const match = this.matcher(query);
    const inScope = (obj: KubeObject | undefined): obj is KubeObject =>
      !!obj && (!namespace || obj.metadata.namespace === namespace) && match(obj);
    const table = wantsTable(req.headers.accept);
    const includeObject = query.get("includeObject");
    const typeId = typeIdOf(type);
    res.writeHead(200, {
      "content-type": "application/json",
      "cache-control": "no-cache, private",
      "transfer-encoding": "chunked",
    });
    res.flushHeaders();
    const send = (eventType: string, object: KubeObject | JsonObject) => {
      const payload =
        table && eventType !== "ERROR"
          ? toTable(
              type,
              [object as KubeObject],
              String((object as KubeObject).metadata?.resourceVersion ?? ""),
              includeObject,
            )
          : object;
      res.write(`${JSON.stringify({ type: eventType, object: payload })}\n`);
    };
    /** A filtered watch turns objects moving in or out of the filter into ADDED / DELETED. */
    const deliver = (event: StoreEvent) => {
      if (event.typeId !== typeId) return;
      const now = inScope(event.object) ? event.object : undefined;
      const before = inScope(event.previous) ? event.previous : undefined;
      const obj = withTypeMeta(type, event.object);
      if (event.type === "DELETED") {
        if (before) send("DELETED", obj);
      } else if (now && before) send(event.type === "ADDED" ? "ADDED" : "MODIFIED", obj);
      else if (now) send("ADDED", obj);
      else if (before) send("DELETED", obj);
    };

    const rvParam = query.get("resourceVersion");
    if (!rvParam || rvParam === "0") {
      for (const obj of this.api.list(type, namespace)) if (inScope(obj)) send("ADDED", obj);
    } else {
      const rv = Number(rvParam);
      const events = Number.isFinite(rv) ? this.api.store.eventsSince(rv) : undefined;
      if (!events) {
        send(
          "ERROR",
          failureStatus(
            410,
            "Expired",
            `too old resource version: ${rvParam} (${this.api.store.oldestWatchableVersion})`,
          ),
        );
        res.end();
        return;
      }
      for (const event of events) deliver(event);
    }
    const unsubscribe = this.api.store.subscribe(deliver);
    this.watches.add(res);
    const timeoutSeconds = Number(query.get("timeoutSeconds") ?? "1800");
    const timer = setTimeout(() => res.end(), Math.max(1, timeoutSeconds) * 1000);
    timer.unref();
    const cleanup = () => {
      clearTimeout(timer);
      unsubscribe();
      this.watches.delete(res);
    };
    res.on("close", cleanup);
    res.on("finish", cleanup);
  }

  private async handleDemo(req: IncomingMessage, res: ServerResponse, name: string, method: string): Promise<void> {
    if (method === "GET") return this.writeJson(res, 200, this.demo.get(name) as JsonObject);
    if (method === "POST" || method === "DELETE")
      return this.writeJson(
        res,
        200,
        this.demo.post(method === "DELETE" ? `${name}:delete` : name, await readJson(req, true)) as JsonObject,
      );
    throw errors.methodNotAllowed();
  }

  /**
   * An API answer: JSON, or protobuf for a client that accepts nothing else (406 when this body
   * has no protobuf form, which handleResource mostly rules out before acting).
   */
  private json(res: ServerResponse, code: number, body: unknown): void {
    if (body === undefined) throw errors.pathNotFound();
    if (!acceptsOnlyProtobuf(res.req.headers.accept)) return this.writeJson(res, code, body);
    const encoded = encodeProtobufBody(body);
    if (!encoded) return this.writeJson(res, 406, notAcceptable().toStatus());
    res.writeHead(code, {
      "content-type": PROTOBUF_MEDIA_TYPE,
      "content-length": encoded.length,
      "cache-control": "no-cache, private",
    });
    res.end(encoded);
  }

  private writeJson(res: ServerResponse, code: number, body: unknown): void {
    if (body === undefined) throw errors.pathNotFound();
    const text = JSON.stringify(body);
    res.writeHead(code, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-cache, private",
    });
    res.end(text);
  }

  private text(res: ServerResponse, code: number, body: string): void {
    res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
    res.end(body);
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    // A 406 is written as JSON: the client accepts nothing the sandbox can write (kube-apiserver does the same).
    if (error instanceof ApiError)
      return error.code === 406
        ? this.writeJson(res, 406, error.toStatus())
        : this.json(res, error.code, error.toStatus());
    const message = error instanceof Error ? error.message : String(error);
    this.json(res, 500, failureStatus(500, "InternalError", `Internal error occurred: ${message}`));
  }
}

function expectedKind(type: ResourceType): ExpectedKind {
  return { apiVersion: apiVersionOf(type), kind: type.kind };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An object body (create, update, delete options): JSON, or protobuf as kubectl 1.30+ sends it. */
async function readObject(req: IncomingMessage, expected: ExpectedKind, optional = false): Promise<unknown> {
  if (!isProtobuf(req.headers["content-type"])) return readJson(req, optional);
  const body = await readBody(req);
  if (body.length === 0) {
    if (optional) return undefined;
    throw errors.badRequest("the body of the request is empty");
  }
  return decodeProtobufBody(body, expected);
}

/** Patches and demo endpoints: JSON only (Kubernetes has no protobuf patch types). */
async function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  const text = (await readBody(req)).toString("utf8").trim();
  if (text === "") {
    if (optional) return undefined;
    throw errors.badRequest("the body of the request is empty");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw errors.badRequest(`the body of the request could not be decoded as JSON: ${(error as Error).message}`);
  }
}
