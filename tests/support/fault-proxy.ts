/**
 * A fault-injecting HTTPS proxy in front of a cluster's API server, so the sandbox and a real
 * kube-apiserver get exactly the same faults (the sandbox's own fault injection exists only in
 * the sandbox). It listens on 127.0.0.1 with a self-signed certificate of its own, trusted by
 * the KubeConfig it hands out, and forwards every request (watches and other streams included)
 * with the client's own credentials to the upstream server.
 *
 *   const proxy = await startFaultProxy(cluster.kubeConfig);
 *   proxy.set({ errorRate: 0.5, latencyMs: 200, paths: /deployments/, writesOnly: true });
 *   new ClusterGateway(proxy.kubeConfig) … ;  proxy.clear();  await proxy.stop();
 *
 * Faults are told at runtime, either as rules (first matching rule wins) or by an `intercept`
 * function that decides per request (tests use it to act on one run's step).
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";
import { createSelfSignedCertificate } from "@greenlight/sandbox-cluster/self-signed";

export interface ProxiedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: string;
  /** POST, PUT, PATCH or DELETE. */
  write: boolean;
  /** The namespace in the path, if any. */
  namespace?: string;
  /** The request's headers as the client sent them (lower-case names). */
  headers: http.IncomingHttpHeaders;
}

/** What the proxy does with one request, in this order. Nothing set: forward it as it is. */
export interface FaultAction {
  /** Wait this long before anything else. */
  delayMs?: number;
  /** Hold the request, not yet forwarded, until this settles (a blackhole). */
  holdRequest?: Promise<unknown>;
  /** Answer with this status and a Kubernetes Status body instead of forwarding. */
  fail?: 500 | 503;
  /** Drop the connection: before forwarding, or after the server acted (the client never hears). */
  reset?: "before" | "after";
  /** Forward, then hold the server's answer until this settles: the server acted, the client waits. */
  holdResponse?: Promise<unknown>;
}

export interface FaultRule {
  /** Only requests whose path (without the query) matches. */
  paths?: RegExp;
  /** Only writes (POST, PUT, PATCH, DELETE). */
  writesOnly?: boolean;
  /** Share (0..1) answered 500 or 503 (half each) with a Status body. */
  errorRate?: number;
  /** Share (0..1) whose connection is dropped, half before and half after forwarding. */
  resetRate?: number;
  /** Added before every matching request. */
  latencyMs?: number;
  /** Hold matching requests (or, with "response", their answers) until the rule is cleared. */
  blackhole?: "request" | "response";
}

export type Intercept = (request: ProxiedRequest) => FaultAction | undefined | Promise<FaultAction | undefined>;

export interface FaultStats {
  forwarded: number;
  failed: number;
  reset: number;
  delayed: number;
  held: number;
}

export interface FaultProxy {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The upstream's current context and user, pointed at the proxy. */
  kubeConfig: KubeConfig;
  /** Writes that KubeConfig as a kubeconfig file (mode 0600: it holds the credentials). */
  writeKubeconfig(file: string): void;
  /** Replaces all rules with this one. */
  set(rule: FaultRule): void;
  /** Adds a rule beside the others; the function removes it (and lets its held requests go). */
  add(rule: FaultRule): () => void;
  /** Removes every rule and lets every held request go. */
  clear(): void;
  /** Decides before the rules; returning undefined leaves the request to them. */
  intercept(decide: Intercept | undefined): void;
  readonly stats: FaultStats;
  stop(): Promise<void>;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// Per connection or per hop: never passed on (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
]);

/** A gate held requests wait on; opening it lets them all go, and a fresh one takes its place. */
class Gate {
  private open!: () => void;
  promise!: Promise<void>;
  constructor() {
    this.reset();
  }
  private reset() {
    this.promise = new Promise((resolve) => (this.open = resolve));
  }
  release() {
    this.open();
    this.reset();
  }
}

/** The Status object kube-apiserver answers errors with, so clients classify them as they would. */
function statusBody(code: 500 | 503): string {
  const status =
    code === 503
      ? {
          reason: "ServiceUnavailable",
          message: "the server is currently unable to handle the request (injected by the fault proxy)",
        }
      : {
          reason: "InternalError",
          message: "Internal error occurred: injected by the fault proxy",
          details: { causes: [{ message: "injected by the fault proxy" }] },
        };
  return JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code, ...status });
}

function describe(method: string, url: string, headers: http.IncomingHttpHeaders): ProxiedRequest {
  const [path, query = ""] = url.split("?", 2);
  const namespace = /\/namespaces\/([^/]+)/.exec(path)?.[1];
  return { method, path, query, write: WRITES.has(method), namespace, headers };
}

function forwardedHeaders(headers: http.IncomingHttpHeaders | http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  return out;
}

export async function startFaultProxy(upstream: KubeConfig): Promise<FaultProxy> {
  const cluster = upstream.getCurrentCluster();
  const user = upstream.getCurrentUser();
  if (!cluster || !user) throw new Error("the upstream KubeConfig has no current cluster or user");
  const target = new URL(cluster.server);
  // The upstream's CA, client certificate and bearer token, exactly as client-node would use them.
  const upstreamOptions: https.RequestOptions = {};
  await upstream.applyToHTTPSOptions(upstreamOptions);
  const upstreamAuthorization = (upstreamOptions.headers as Record<string, string> | undefined)?.Authorization;
  const transport = target.protocol === "https:" ? https : http;

  const rules = new Map<number, { rule: FaultRule; gate: Gate }>();
  let nextRule = 0;
  let decide: Intercept | undefined;
  const stats: FaultStats = { forwarded: 0, failed: 0, reset: 0, delayed: 0, held: 0 };

  const fromRules = (request: ProxiedRequest): FaultAction | undefined => {
    for (const { rule, gate } of rules.values()) {
      if (rule.paths && !rule.paths.test(request.path)) continue;
      if (rule.writesOnly && !request.write) continue;
      const action: FaultAction = { delayMs: rule.latencyMs };
      if (rule.blackhole === "request") action.holdRequest = gate.promise;
      if (rule.blackhole === "response") action.holdResponse = gate.promise;
      const roll = Math.random();
      const errorRate = rule.errorRate ?? 0;
      if (roll < errorRate) action.fail = roll < errorRate / 2 ? 500 : 503;
      else if (roll < errorRate + (rule.resetRate ?? 0)) action.reset = Math.random() < 0.5 ? "before" : "after";
      return action;
    }
    return undefined;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const request = describe(req.method ?? "GET", req.url ?? "/", req.headers);
    let gone = false;
    res.once("close", () => (gone = true));
    const drop = () => {
      stats.reset++;
      req.socket.destroy();
    };
    let action: FaultAction;
    try {
      action = (await decide?.(request)) ?? fromRules(request) ?? {};
    } catch {
      action = {};
    }
    if (action.delayMs) {
      stats.delayed++;
      await new Promise((r) => setTimeout(r, action.delayMs));
    }
    if (action.holdRequest) {
      stats.held++;
      await action.holdRequest;
    }
    if (gone) return;
    if (action.reset === "before") return drop();
    if (action.fail) {
      stats.failed++;
      // The body is not read: the server refused before looking at it, as an overloaded one does.
      res.writeHead(action.fail, { "content-type": "application/json" });
      res.end(statusBody(action.fail));
      return;
    }

    stats.forwarded++;
    const headers = forwardedHeaders(req.headers);
    if (!headers.authorization && upstreamAuthorization) headers.authorization = upstreamAuthorization;
    const outgoing = transport.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: request.method,
      path: `${target.pathname.replace(/\/$/, "")}${req.url ?? "/"}`,
      headers,
      agent: target.protocol === "https:" ? upstreamOptions.agent : undefined,
      ca: upstreamOptions.ca,
      cert: upstreamOptions.cert,
      key: upstreamOptions.key,
      rejectUnauthorized: upstreamOptions.rejectUnauthorized,
    });
    // A client that goes away (a watch it stopped, a timeout) ends the upstream request too.
    res.once("close", () => outgoing.destroy());
    outgoing.once("error", () => {
      if (!res.headersSent) drop();
      else res.destroy();
    });
    outgoing.once("response", async (answer) => {
      if (action.reset === "after") {
        answer.resume();
        return drop();
      }
      if (action.holdResponse) {
        stats.held++;
        await action.holdResponse;
      }
      if (gone) return void answer.destroy();
      res.writeHead(answer.statusCode ?? 502, forwardedHeaders(answer.headers));
      // Streams (watches) are passed on chunk by chunk as they come.
      res.flushHeaders();
      answer.pipe(res);
    });
    req.pipe(outgoing);
  };

  const certificate = createSelfSignedCertificate("greenlight-fault-proxy");
  const server = https.createServer(
    { cert: certificate.certPem, key: certificate.keyPem },
    (req, res) => void handle(req, res),
  );
  // Longer than any client's idle keep-alive, so the proxy never closes a socket a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const context = upstream.getContextObject(upstream.getCurrentContext());
  const proxied: Cluster = {
    name: "fault-proxy",
    server: url,
    caData: Buffer.from(certificate.certPem).toString("base64"),
    skipTLSVerify: false,
  };
  const kubeConfig = new KubeConfig();
  const contextName = `fault-proxy-${upstream.getCurrentContext()}`;
  kubeConfig.loadFromOptions({
    clusters: [proxied],
    users: [user as User],
    contexts: [{ name: contextName, cluster: proxied.name, user: user.name, namespace: context?.namespace } as Context],
    currentContext: contextName,
  });

  const removeAll = () => {
    for (const { gate } of rules.values()) gate.release();
    rules.clear();
  };
  return {
    url,
    kubeConfig,
    writeKubeconfig(file) {
      fs.writeFileSync(file, kubeConfig.exportConfig(), { mode: 0o600 });
    },
    set(rule) {
      removeAll();
      rules.set(nextRule++, { rule, gate: new Gate() });
    },
    add(rule) {
      const id = nextRule++;
      rules.set(id, { rule, gate: new Gate() });
      return () => {
        rules.get(id)?.gate.release();
        rules.delete(id);
      };
    },
    clear: removeAll,
    intercept(fn) {
      decide = fn;
    },
    stats,
    async stop() {
      decide = undefined;
      removeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
