/**
 * A small, bounded load generator so the demo pods' metrics move: it sends requests
 * "through" every Service the way kube-proxy would (a random Ready pod among those the
 * selector picks), and honours ingress-nginx canary Ingresses by sending `canary-weight`
 * percent of a Service's traffic to the canary Service's pods. Loopback only.
 */
import { Agent, request } from "node:http";
import type { ApiCore } from "./api";
import { isPodReady, POD_ADDRESS_ANNOTATION } from "./controller-utils";
import { typeByKind } from "./resources";
import { matchesRequirements } from "./selectors";
import { isObject, type JsonObject, type KubeObject, type Pod, type Service } from "./types";

const SERVICES = typeByKind("Service");
const PODS = typeByKind("Pod");
const INGRESSES = typeByKind("Ingress");
const CANARY = "nginx.ingress.kubernetes.io/canary";
const CANARY_WEIGHT = "nginx.ingress.kubernetes.io/canary-weight";

export interface LoadGeneratorOptions {
  /** Requests per second per Service (default 5). */
  rps: number;
  /** Upper bound on requests in flight across all Services. */
  maxInFlight: number;
}

export interface LoadStats {
  enabled: boolean;
  rps: number;
  sent: number;
  failed: number;
  inFlight: number;
}

/** Service names an Ingress routes to. */
function backends(ingress: KubeObject): string[] {
  const out: string[] = [];
  const spec = ingress.spec ?? {};
  const push = (backend: unknown) => {
    if (isObject(backend) && isObject(backend.service) && typeof backend.service.name === "string")
      out.push(backend.service.name);
  };
  push(spec.defaultBackend);
  for (const rule of Array.isArray(spec.rules) ? (spec.rules as JsonObject[]) : []) {
    const http = isObject(rule.http) ? rule.http : {};
    for (const p of Array.isArray(http.paths) ? (http.paths as JsonObject[]) : []) push(p.backend);
  }
  return out;
}

function hostsOf(ingress: KubeObject): string[] {
  const rules = Array.isArray(ingress.spec?.rules) ? (ingress.spec?.rules as JsonObject[]) : [];
  return rules.map((r) => String(r.host ?? ""));
}

export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  private budget = new Map<string, number>();
  private last = Date.now();
  private stats: LoadStats;

  constructor(
    private readonly api: ApiCore,
    private options: LoadGeneratorOptions,
  ) {
    this.stats = { enabled: false, rps: options.rps, sent: 0, failed: 0, inFlight: 0 };
  }

  start(): void {
    if (this.timer) return;
    this.stats.enabled = true;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stats.enabled = false;
    this.agent.destroy();
  }

  setRate(rps: number): void {
    this.options = { ...this.options, rps: Math.max(0, Math.min(rps, 200)) };
    this.stats.rps = this.options.rps;
  }

  getStats(): LoadStats {
    return { ...this.stats };
  }

  /**
   * Where a request to `service` lands: a Ready pod of the canary Service with the canary
   * weight's probability, otherwise a Ready pod of the Service itself.
   */
  pickPod(service: Service, services: Service[], ingresses: KubeObject[], pods: Pod[]): Pod | undefined {
    const ns = service.metadata.namespace;
    const mains = ingresses.filter(
      (i) =>
        i.metadata.namespace === ns &&
        i.metadata.annotations?.[CANARY] !== "true" &&
        backends(i).includes(service.metadata.name),
    );
    const canary = ingresses.find(
      (i) =>
        i.metadata.namespace === ns &&
        i.metadata.annotations?.[CANARY] === "true" &&
        mains.some((m) => hostsOf(m).some((h) => hostsOf(i).includes(h))),
    );
    let target = service;
    if (canary) {
      const weight = Number(canary.metadata.annotations?.[CANARY_WEIGHT] ?? "0");
      const canaryService = services.find(
        (s) => s.metadata.namespace === ns && backends(canary).includes(s.metadata.name),
      );
      if (canaryService && Math.random() * 100 < weight) target = canaryService;
    }
    const selector = target.spec.selector;
    if (!selector || Object.keys(selector).length === 0) return undefined;
    const reqs = Object.entries(selector).map(([key, value]) => ({ key, op: "=" as const, value }));
    const ready = pods.filter(
      (p) =>
        p.metadata.namespace === ns &&
        isPodReady(p) &&
        p.metadata.annotations?.[POD_ADDRESS_ANNOTATION] &&
        matchesRequirements(reqs, p.metadata.labels),
    );
    return ready[Math.floor(Math.random() * ready.length)];
  }

  private tick(): void {
    const now = Date.now();
    const elapsed = Math.min(1, (now - this.last) / 1000);
    this.last = now;
    const services = this.api.list(SERVICES) as Service[];
    const ingresses = this.api.list(INGRESSES);
    const pods = this.api.listAs<Pod>(PODS);
    // Services that only receive traffic as a canary backend get no direct load.
    const canaryBackends = new Set(
      ingresses
        .filter((i) => i.metadata.annotations?.[CANARY] === "true")
        .flatMap((i) => backends(i).map((b) => `${i.metadata.namespace}/${b}`)),
    );
    for (const service of services) {
      const key = `${service.metadata.namespace}/${service.metadata.name}`;
      if (canaryBackends.has(key)) continue;
      let budget = (this.budget.get(key) ?? 0) + this.options.rps * elapsed;
      while (budget >= 1 && this.stats.inFlight < this.options.maxInFlight) {
        budget -= 1;
        const pod = this.pickPod(service, services, ingresses, pods);
        if (pod) this.send(pod);
      }
      this.budget.set(key, Math.min(budget, this.options.rps));
    }
  }

  private send(pod: Pod): void {
    const address = pod.metadata.annotations?.[POD_ADDRESS_ANNOTATION] ?? "";
    const [host, port] = address.split(":");
    if (host !== "127.0.0.1" || !port) return;
    this.stats.inFlight++;
    let finished = false;
    const done = (ok: boolean) => {
      if (finished) return;
      finished = true;
      this.stats.inFlight--;
      this.stats.sent++;
      if (!ok) this.stats.failed++;
    };
    const req = request({ host, port: Number(port), path: "/", agent: this.agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => done((res.statusCode ?? 500) < 500));
      res.on("error", () => done(false));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
    req.end();
  }
}
