/**
 * The resource types the sandbox serves: discovery data, defaulting and validation, as
 * kube-apiserver 1.20 registers them. Defaulting matters beyond cosmetics: the deployment
 * controller compares pod templates, and a template must compare equal whether or not the
 * client spelled out the defaults.
 */
import { randomInt } from "node:crypto";
import type { StatusCause } from "./status";
import {
  isObject,
  type DeploymentSpec,
  type JsonObject,
  type KubeObject,
  type PodTemplate,
  type ServiceSpec,
} from "./types";
import {
  immutable,
  invalid,
  required,
  validateDeploymentStrategy,
  validateMetadataLabels,
  validateName,
  validatePodTemplate,
  validateWorkloadSpec,
  type NameRule,
} from "./validation";
import { deepEqual } from "./patch";

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: the path segment. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Whether the API server tracks metadata.generation for this type. */
  hasGeneration: boolean;
  subresources: ("status" | "scale")[];
  nameRule: NameRule;
  /** Fills server-side defaults in place. */
  applyDefaults(obj: KubeObject): void;
  /** Validation on create (old undefined) and update. */
  validate(obj: KubeObject, old?: KubeObject): StatusCause[];
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

function asJson(value: unknown): JsonObject {
  return (isObject(value) ? value : {}) as JsonObject;
}

/** Pod spec defaults of k8s.io/kubernetes/pkg/apis/core/v1/defaults.go that clients see. */
export function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  for (const list of ["containers", "initContainers"] as const) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const raw of containers) {
      const c = asJson(raw);
      c.resources ??= {};
      c.terminationMessagePath ??= "/dev/termination-log";
      c.terminationMessagePolicy ??= "File";
      if (c.imagePullPolicy === undefined) {
        const image = String(c.image ?? "");
        const lastSegment = image.split("/").pop() ?? "";
        const tag = lastSegment.includes("@")
          ? ""
          : lastSegment.includes(":")
            ? lastSegment.split(":").pop()
            : "latest";
        c.imagePullPolicy = tag === "latest" ? "Always" : "IfNotPresent";
      }
      if (Array.isArray(c.ports)) for (const p of c.ports) asJson(p).protocol ??= "TCP";
    }
  }
}

function defaultPodTemplate(template: PodTemplate | undefined): void {
  if (!template) return;
  template.metadata ??= {};
  // The API server serialises an unset template creationTimestamp as null.
  if (template.metadata.creationTimestamp === undefined) template.metadata.creationTimestamp = null;
  template.spec ??= {};
  defaultPodSpec(template.spec as JsonObject);
}

function deploymentDefaults(obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as DeploymentSpec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ??= "RollingUpdate";
  if (spec.strategy.type === "RollingUpdate") {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
    spec.strategy.rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

function replicaSetDefaults(obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as DeploymentSpec;
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}

function serviceDefaults(obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as ServiceSpec;
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  for (const port of spec.ports ?? []) {
    port.protocol ??= "TCP";
    // An unset IntOrString arrives as 0 from protobuf clients (Go's zero value); both mean "the port".
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port;
  }
  if (spec.type !== "ExternalName") {
    spec.clusterIP ??= `10.96.${randomInt(0, 255)}.${randomInt(1, 254)}`;
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
  }
  obj.status ??= {};
  obj.status.loadBalancer ??= {};
}

function namespaceDefaults(obj: KubeObject): void {
  obj.spec ??= { finalizers: ["kubernetes"] };
  obj.status ??= {};
  obj.status.phase ??= "Active";
}

function podDefaults(obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as JsonObject;
  defaultPodSpec(spec);
  spec.serviceAccountName ??= "default";
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= "PreemptLowerPriority";
  obj.status ??= {};
  obj.status.phase ??= "Pending";
  obj.status.qosClass ??= "BestEffort";
}

function ingressDefaults(obj: KubeObject): void {
  obj.spec ??= {};
  obj.status ??= {};
  obj.status.loadBalancer ??= {};
}

const workloadUpdateRules = (obj: KubeObject, old?: KubeObject): StatusCause[] =>
  old && !deepEqual(old.spec?.selector, obj.spec?.selector) ? [immutable("spec.selector", obj.spec?.selector)] : [];

export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    hasGeneration: false,
    subresources: ["status"],
    nameRule: "label",
    applyDefaults: namespaceDefaults,
    validate: () => [],
  },
  {
    group: "",
    version: "v1",
    resource: "pods",
    singular: "pod",
    kind: "Pod",
    namespaced: true,
    shortNames: ["po"],
    hasGeneration: false,
    subresources: ["status"],
    nameRule: "subdomain",
    applyDefaults: podDefaults,
    validate: (obj) =>
      validatePodTemplate({ spec: obj.spec as PodTemplate["spec"] }, "spec").map((c) => ({
        ...c,
        field: c.field?.replace(/^spec\.spec\./, "spec."),
      })),
  },
  {
    group: "",
    version: "v1",
    resource: "services",
    singular: "service",
    kind: "Service",
    namespaced: true,
    shortNames: ["svc"],
    hasGeneration: false,
    subresources: ["status"],
    nameRule: "dns1035",
    applyDefaults: serviceDefaults,
    validate: (obj, old) => {
      const spec = asJson(obj.spec) as ServiceSpec;
      const causes: StatusCause[] = [];
      if (spec.type !== "ExternalName" && (!Array.isArray(spec.ports) || spec.ports.length === 0))
        causes.push(required("spec.ports"));
      (spec.ports ?? []).forEach((p, i) => {
        if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
          causes.push(invalid(`spec.ports[${i}].port`, p.port, "must be between 1 and 65535, inclusive"));
      });
      const oldIP = (old?.spec as ServiceSpec | undefined)?.clusterIP;
      if (old && oldIP && spec.clusterIP !== oldIP) causes.push(immutable("spec.clusterIP", spec.clusterIP ?? ""));
      return causes;
    },
  },
  {
    group: "",
    version: "v1",
    resource: "endpoints",
    singular: "endpoints",
    kind: "Endpoints",
    namespaced: true,
    shortNames: ["ep"],
    hasGeneration: false,
    subresources: [],
    nameRule: "subdomain",
    applyDefaults: () => undefined,
    validate: () => [],
  },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    hasGeneration: true,
    subresources: ["status", "scale"],
    nameRule: "subdomain",
    applyDefaults: deploymentDefaults,
    validate: (obj, old) => [
      ...validateWorkloadSpec(obj.spec as DeploymentSpec, "deployment"),
      ...validateDeploymentStrategy(obj.spec as DeploymentSpec),
      ...workloadUpdateRules(obj, old),
    ],
  },
  {
    group: "apps",
    version: "v1",
    resource: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    shortNames: ["rs"],
    hasGeneration: true,
    subresources: ["status", "scale"],
    nameRule: "subdomain",
    applyDefaults: replicaSetDefaults,
    validate: (obj, old) => [
      ...validateWorkloadSpec(obj.spec as DeploymentSpec, "replicaset"),
      ...workloadUpdateRules(obj, old),
    ],
  },
  {
    group: "networking.k8s.io",
    version: "v1",
    resource: "ingresses",
    singular: "ingress",
    kind: "Ingress",
    namespaced: true,
    shortNames: ["ing"],
    hasGeneration: true,
    subresources: ["status"],
    nameRule: "subdomain",
    applyDefaults: ingressDefaults,
    validate: () => [],
  },
];

export function commonValidation(type: ResourceType, obj: KubeObject): StatusCause[] {
  return [...validateName(obj.metadata.name, type.nameRule), ...validateMetadataLabels(obj)];
}

export function findType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function typeByKind(kind: string): ResourceType {
  const type = RESOURCE_TYPES.find((t) => t.kind === kind);
  if (!type) throw new Error(`unknown kind ${kind}`);
  return type;
}
