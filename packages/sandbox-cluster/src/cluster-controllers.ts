/**
 * The small controllers a real control plane runs besides Deployments and ReplicaSets:
 * endpoints (Service → Ready pods), the garbage collector (owner gone → dependents go,
 * background propagation) and the namespace controller (a deleted namespace is emptied,
 * then removed).
 */
import type { ApiCore } from "./api";
import { isPodReady } from "./controller-utils";
import { RESOURCE_TYPES, typeByKind } from "./resources";
import { ApiError } from "./status";
import { typeIdOf } from "./store";
import type { JsonObject, KubeObject, Pod, Service } from "./types";
import { matchesRequirements } from "./selectors";

const SERVICES = typeByKind("Service");
const ENDPOINTS = typeByKind("Endpoints");
const PODS = typeByKind("Pod");
const NAMESPACES = typeByKind("Namespace");

function ignoreApiErrors(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

export class EndpointsController {
  constructor(private readonly api: ApiCore) {}

  syncAll(): void {
    const services = this.api.list(SERVICES) as Service[];
    for (const svc of services) ignoreApiErrors(() => this.sync(svc));
    // Endpoints follow their Service's lifetime.
    for (const ep of this.api.list(ENDPOINTS)) {
      if (
        !services.some((s) => s.metadata.namespace === ep.metadata.namespace && s.metadata.name === ep.metadata.name)
      ) {
        ignoreApiErrors(() => this.api.delete(ENDPOINTS, ep.metadata.namespace, ep.metadata.name));
      }
    }
  }

  private sync(svc: Service): void {
    const selector = svc.spec.selector;
    if (!selector || Object.keys(selector).length === 0) return;
    const requirements = Object.entries(selector).map(([key, value]) => ({ key, op: "=" as const, value }));
    const pods = this.api
      .listAs<Pod>(PODS, svc.metadata.namespace)
      .filter(
        (p) => !p.metadata.deletionTimestamp && p.status?.podIP && matchesRequirements(requirements, p.metadata.labels),
      );
    const address = (p: Pod): JsonObject => ({
      ip: p.status?.podIP ?? "",
      nodeName: p.spec.nodeName ?? "",
      targetRef: { kind: "Pod", namespace: p.metadata.namespace ?? "", name: p.metadata.name, uid: p.metadata.uid },
    });
    const ready = pods.filter(isPodReady).map(address);
    const notReady = pods.filter((p) => !isPodReady(p)).map(address);
    const ports = (svc.spec.ports ?? []).map((p) => {
      const port: JsonObject = {
        port: typeof p.targetPort === "number" ? p.targetPort : p.port,
        protocol: p.protocol ?? "TCP",
      };
      if (p.name) port.name = p.name;
      return port;
    });
    const subsets: JsonObject[] = [];
    if (ready.length + notReady.length > 0) {
      const subset: JsonObject = {};
      if (ready.length) subset.addresses = ready;
      if (notReady.length) subset.notReadyAddresses = notReady;
      subset.ports = ports;
      subsets.push(subset);
    }
    const existing = this.api.find(ENDPOINTS, svc.metadata.namespace, svc.metadata.name);
    const body = {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: {
        ...(existing?.metadata ?? { name: svc.metadata.name, namespace: svc.metadata.namespace }),
        labels: svc.metadata.labels,
      },
      ...(subsets.length ? { subsets } : {}),
    } as unknown as KubeObject;
    if (!body.metadata.labels) delete body.metadata.labels;
    if (existing) this.api.replace(ENDPOINTS, svc.metadata.namespace, svc.metadata.name, body);
    else this.api.create(ENDPOINTS, svc.metadata.namespace, body);
  }
}

export class GarbageCollector {
  constructor(private readonly api: ApiCore) {}

  syncAll(): void {
    const owners = new Set<string>();
    for (const type of RESOURCE_TYPES) for (const obj of this.api.list(type)) owners.add(obj.metadata.uid);
    for (const type of RESOURCE_TYPES) {
      for (const obj of this.api.list(type)) {
        const refs = obj.metadata.ownerReferences ?? [];
        if (refs.length > 0 && refs.every((r) => !owners.has(r.uid))) {
          ignoreApiErrors(() => this.api.delete(type, obj.metadata.namespace, obj.metadata.name));
        }
      }
    }
  }
}

export class NamespaceController {
  constructor(private readonly api: ApiCore) {}

  syncAll(): void {
    for (const ns of this.api.list(NAMESPACES)) {
      if (!ns.metadata.deletionTimestamp) continue;
      let remaining = 0;
      for (const type of RESOURCE_TYPES) {
        if (!type.namespaced) continue;
        for (const obj of this.api.list(type, ns.metadata.name)) {
          remaining++;
          ignoreApiErrors(() => this.api.delete(type, obj.metadata.namespace, obj.metadata.name));
        }
      }
      if (remaining === 0) this.api.store.remove(typeIdOf(NAMESPACES), undefined, ns.metadata.name);
    }
  }
}
