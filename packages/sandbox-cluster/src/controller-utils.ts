/** Helpers shared by the controllers, after k8s.io/kubernetes/pkg/controller and deployment/util. */
import { canonicalJson } from "./patch";
import { apiVersionOf, type ResourceType } from "./resources";
import { clone, type Condition, type ObjectBase, type OwnerReference, type Pod, type PodTemplate } from "./types";

export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
/** Where the sandbox tells the outside world the real loopback address of a demo pod. */
export const POD_ADDRESS_ANNOTATION = "sandbox.greenlight.dev/address";

export function controllerRef(type: ResourceType, owner: ObjectBase): OwnerReference {
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: ObjectBase, owner: ObjectBase): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === owner.metadata.uid);
}

export function getCondition<C extends Condition>(conditions: C[] | undefined, type: string): C | undefined {
  return conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: no-op when status and reason are unchanged; keeps lastTransitionTime when status is. */
export function setCondition(conditions: Condition[], condition: Condition): Condition[] {
  const current = getCondition(conditions, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return conditions;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((c) => c.type !== condition.type), next];
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return Number.parseInt(value, 10) || 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Template equality that ignores the pod-template-hash label (EqualIgnoreHash). */
export function templatesEqualIgnoringHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

function withoutHash(template: PodTemplate | undefined): PodTemplate {
  const copy = clone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

const SAFE_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/**
 * ComputeHash: FNV-32a of the template (here: its canonical JSON; kube hashes a spew dump, so
 * values differ from a real cluster but have the same shape and stability), plus the collision
 * count, rendered with rand.SafeEncodeString.
 */
export function computeTemplateHash(template: PodTemplate | undefined, collisionCount?: number): string {
  let hash = 0x811c9dc5;
  const input = canonicalJson(withoutHash(template)) + (collisionCount ? String(collisionCount) : "");
  for (const byte of Buffer.from(input, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [...String(hash)].map((c) => SAFE_ALPHANUMS[c.charCodeAt(0) % SAFE_ALPHANUMS.length]).join("");
}

export function podReadyCondition(pod: Pod): Condition | undefined {
  return getCondition(pod.status?.conditions, "Ready");
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === "True";
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podReadyCondition(pod);
  if (ready?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? "");
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

export function revisionOf(obj: ObjectBase): number {
  const value = Number.parseInt(obj.metadata.annotations?.[REVISION_ANNOTATION] ?? "", 10);
  return Number.isFinite(value) ? value : 0;
}

/** Annotations a Deployment does not copy to its ReplicaSets (skipCopyAnnotation). */
export function copyableAnnotation(key: string): boolean {
  return ![
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
  ].includes(key);
}
