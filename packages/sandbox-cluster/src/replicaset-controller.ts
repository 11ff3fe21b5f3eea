/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps `spec.replicas` pods per
 * ReplicaSet, deletes the least useful pods first on scale-down, and reports status.
 */
import type { ApiCore } from "./api";
import { controllerRef, isControlledBy, isPodAvailable, isPodReady, podReadyCondition } from "./controller-utils";
import { typeByKind } from "./resources";
import { selectorMatches } from "./selectors";
import { ApiError } from "./status";
import { clone, type KubeObject, type Pod, type ReplicaSet, type ReplicaSetStatus } from "./types";

const REPLICA_SETS = typeByKind("ReplicaSet");
const PODS = typeByKind("Pod");
/** The controller's burst limit per sync (slowStartBatch starts at 1 and doubles). */
const MAX_CREATES_PER_SYNC = 100;

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** ActivePods ordering: the pod that should be deleted first sorts first. */
function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod) => PHASE_RANK[p.status?.phase ?? "Pending"] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (isPodReady(a) && isPodReady(b)) {
    const since = (p: Pod) => Date.parse(podReadyCondition(p)?.lastTransitionTime ?? "") || 0;
    if (since(a) !== since(b)) return since(b) - since(a);
  }
  const restarts = (p: Pod) =>
    (p.status?.containerStatuses ?? []).reduce((sum, c) => sum + (Number(c.restartCount) || 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp);
}

export class ReplicaSetController {
  constructor(private readonly api: ApiCore) {}

  syncAll(): void {
    for (const rs of this.api.list(REPLICA_SETS) as ReplicaSet[]) {
      try {
        this.sync(rs);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
    }
  }

  private sync(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) return;
    const pods = this.api
      .listAs<Pod>(PODS, rs.metadata.namespace)
      .filter(
        (p) =>
          isControlledBy(p, rs) &&
          !p.metadata.deletionTimestamp &&
          !["Succeeded", "Failed"].includes(p.status?.phase ?? ""),
      );
    const desired = rs.spec.replicas ?? 1;
    const diff = pods.length - desired;
    if (diff < 0) {
      for (let i = 0; i < Math.min(-diff, MAX_CREATES_PER_SYNC); i++) this.createPod(rs);
    } else if (diff > 0) {
      for (const pod of [...pods].sort(deletionOrder).slice(0, diff))
        this.api.delete(PODS, pod.metadata.namespace, pod.metadata.name);
    }
    const current = this.api
      .listAs<Pod>(PODS, rs.metadata.namespace)
      .filter((p) => isControlledBy(p, rs) && !p.metadata.deletionTimestamp);
    this.writeStatus(rs, current);
  }

  private createPod(rs: ReplicaSet): void {
    const template = clone(rs.spec.template ?? {});
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: template.metadata?.labels ?? {},
        ownerReferences: [controllerRef(REPLICA_SETS, rs)],
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      },
      spec: template.spec ?? {},
    } as unknown as KubeObject;
    this.api.create(PODS, rs.metadata.namespace, pod);
  }

  private writeStatus(rs: ReplicaSet, pods: Pod[]): void {
    const nowMs = Date.now();
    const templateLabels = rs.spec.template?.metadata?.labels ?? {};
    const status: ReplicaSetStatus = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => selectorMatches({ matchLabels: templateLabels }, p.metadata.labels))
        .length,
      readyReplicas: pods.filter(isPodReady).length,
      availableReplicas: pods.filter((p) => isPodAvailable(p, rs.spec.minReadySeconds ?? 0, nowMs)).length,
      observedGeneration: rs.metadata.generation,
    };
    // Zero counters are omitted on the wire (omitempty), except replicas.
    const compact: ReplicaSetStatus = { replicas: status.replicas };
    if (status.fullyLabeledReplicas) compact.fullyLabeledReplicas = status.fullyLabeledReplicas;
    if (status.readyReplicas) compact.readyReplicas = status.readyReplicas;
    if (status.availableReplicas) compact.availableReplicas = status.availableReplicas;
    if (status.observedGeneration) compact.observedGeneration = status.observedGeneration;
    const fresh = this.api.find(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name);
    if (!fresh || fresh.metadata.uid !== rs.metadata.uid) return;
    fresh.status = compact as unknown as KubeObject["status"];
    this.api.controllerWrite(REPLICA_SETS, fresh);
  }
}
