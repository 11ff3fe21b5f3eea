/**
 * Demo workload: every Ready pod of the sandbox is a real HTTP server on its own loopback
 * port. `/` answers like a small service (a "bad" image tag errors and slows down),
 * `/metrics` exposes Prometheus series, `/readyz` answers 200, and `/healthz` answers 200 with a
 * JSON self-check: `{"status":"ok"}` for a good image, `{"status":"degraded"}` (its database check
 * failing) for a `bad` one, which is what the demo targets' smoke checks look at.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { POD_TEMPLATE_HASH } from "./controller-utils";
import { PodMetrics, type LabelSet } from "./metrics";
import type { Pod } from "./types";

export interface ImageBehaviour {
  version: string;
  /** Share of requests answered with a 5xx. */
  errorRate: number;
  /** Added to every response time. */
  extraLatencyMs: number;
  /** Never becomes Ready (CrashLoopBackOff). */
  crashLoop: boolean;
}

/** The demo's contract with image tags: `bad` errors and slows, `crashloop` never starts. */
export function imageBehaviour(image: string): ImageBehaviour {
  const lastSegment = image.split("/").pop() ?? image;
  const version = lastSegment.includes(":") ? lastSegment.slice(lastSegment.lastIndexOf(":") + 1) : "latest";
  const bad = version.includes("bad");
  return { version, errorRate: bad ? 0.2 : 0, extraLatencyMs: bad ? 300 : 0, crashLoop: version.includes("crashloop") };
}

/** Labels every series of a pod carries. */
export function identityLabels(pod: Pod): LabelSet {
  const labels = pod.metadata.labels ?? {};
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller)?.name;
  const hash = labels[POD_TEMPLATE_HASH];
  const deployment = owner && hash && owner.endsWith(`-${hash}`) ? owner.slice(0, -hash.length - 1) : owner;
  const out: LabelSet = {
    namespace: pod.metadata.namespace ?? "default",
    pod: pod.metadata.name,
    app: labels.app ?? labels["app.kubernetes.io/name"] ?? deployment ?? pod.metadata.name,
    version: imageBehaviour(pod.spec.containers[0]?.image ?? "").version,
  };
  if (deployment) out.deployment = deployment;
  if (labels.track) out.track = labels.track;
  const color = labels.color ?? labels.colour;
  if (color) out.color = color;
  return out;
}

/** Response time of a healthy demo service: mostly 10-40 ms with a tail, p95 well under 100 ms. */
function sampleLatencyMs(behaviour: ImageBehaviour): number {
  const base = 8 + Math.random() * 20 + (Math.random() < 0.05 ? Math.random() * 60 : 0);
  return base + behaviour.extraLatencyMs * (0.8 + Math.random() * 0.4);
}

interface RunningPod {
  server: Server;
  port: number;
  metrics: PodMetrics;
  identity: LabelSet;
}

export class DemoWorkload {
  private readonly running = new Map<string, RunningPod>();
  private readonly starting = new Map<string, Promise<number>>();

  constructor(private readonly latencyScale = 1) {}

  portOf(uid: string): number | undefined {
    return this.running.get(uid)?.port;
  }

  isRunning(uid: string): boolean {
    return this.running.has(uid);
  }

  /** Starts the pod's server (once) and resolves with its port. */
  start(pod: Pod): Promise<number> {
    const uid = pod.metadata.uid;
    const existing = this.running.get(uid);
    if (existing) return Promise.resolve(existing.port);
    const pending = this.starting.get(uid);
    if (pending) return pending;
    const behaviour = imageBehaviour(pod.spec.containers[0]?.image ?? "");
    const identity = identityLabels(pod);
    const bad = behaviour.errorRate > 0;
    const metrics = new PodMetrics(identity, { cpuBase: bad ? 0.72 : 0.45, memoryBase: bad ? 0.68 : 0.5 });
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/metrics") {
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(metrics.render());
        return;
      }
      if (path === "/readyz") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok\n");
        return;
      }
      if (path === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            status: bad ? "degraded" : "ok",
            version: identity.version,
            checks: { database: bad ? "failing: connection pool exhausted" : "ok" },
          }),
        );
        return;
      }
      const started = process.hrtime.bigint();
      const failing = Math.random() < behaviour.errorRate;
      const delay = sampleLatencyMs(behaviour) * this.latencyScale;
      setTimeout(() => {
        const status = failing ? (Math.random() < 0.5 ? 500 : 503) : 200;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ pod: identity.pod, app: identity.app, version: identity.version, ok: !failing }));
        metrics.observe(req.method ?? "GET", status, Number(process.hrtime.bigint() - started) / 1e9);
      }, delay);
    });
    server.keepAliveTimeout = 5000;
    const promise = new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port;
        this.running.set(uid, { server, port, metrics, identity });
        this.starting.delete(uid);
        resolve(port);
      });
    });
    this.starting.set(uid, promise);
    return promise;
  }

  stop(uid: string): void {
    const running = this.running.get(uid);
    if (!running) return;
    this.running.delete(uid);
    running.server.closeAllConnections();
    running.server.close();
  }

  /** Stops servers of pods that no longer exist. */
  retainOnly(uids: Set<string>): void {
    for (const uid of this.running.keys()) if (!uids.has(uid)) this.stop(uid);
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.starting.values());
    for (const uid of [...this.running.keys()]) this.stop(uid);
  }
}
