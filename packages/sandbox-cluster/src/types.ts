/**
 * Objects are kept as plain JSON, exactly as they travel over the wire. The sandbox never
 * needs the full typed model of @kubernetes/client-node; it reads the few fields its
 * controllers care about through the narrow views below.
 */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  generateName?: string;
}

/** What every object has: type meta and complete metadata. */
export interface ObjectBase {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** A stored object: any JSON object with complete metadata. */
export interface KubeObject extends ObjectBase {
  spec?: JsonObject;
  status?: JsonObject;
  [key: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ContainerSpec {
  name: string;
  image: string;
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  spec?: { containers?: ContainerSpec[]; [key: string]: unknown };
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  strategy?: {
    type?: "RollingUpdate" | "Recreate";
    rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
  };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

export interface ReplicaSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  minReadySeconds?: number;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

/** Casts used by controllers; the store guarantees metadata, validation guarantees shapes. */
export type Typed<S, St> = ObjectBase & { spec: S; status?: St };
export type Deployment = Typed<DeploymentSpec, DeploymentStatus>;
export type ReplicaSet = Typed<ReplicaSetSpec, ReplicaSetStatus>;

export interface PodStatus {
  phase?: string;
  conditions?: Condition[];
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  containerStatuses?: JsonObject[];
  [key: string]: unknown;
}
export type Pod = Typed<{ containers: ContainerSpec[]; nodeName?: string; [key: string]: unknown }, PodStatus>;

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  type?: string;
  clusterIP?: string;
  [key: string]: unknown;
}
export type Service = Typed<ServiceSpec, JsonObject>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
