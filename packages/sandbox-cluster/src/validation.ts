/**
 * Field validation with kube-apiserver's messages (k8s.io/apimachinery/pkg/util/validation
 * and pkg/apis/apps/validation), so a 422 from the sandbox reads like one from a cluster.
 */
import { selectorMatches } from "./selectors";
import type { StatusCause } from "./status";
import {
  isObject,
  type ContainerSpec,
  type DeploymentSpec,
  type KubeObject,
  type LabelSelector,
  type PodTemplate,
} from "./types";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = "subdomain" | "label" | "dns1035";

const NAME_MESSAGES: Record<NameRule, string> = {
  subdomain:
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  label:
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  dns1035:
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
};

/** Go's %#v-ish rendering used in "Invalid value: …" messages. */
export function goValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (isObject(value) && Object.values(value).every((v) => typeof v === "string")) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`);
    return `map[string]string{${entries.join(", ")}}`;
  }
  return String(value);
}

export function required(field: string): StatusCause {
  return { reason: "FieldValueRequired", message: "Required value", field };
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${goValue(value)}: ${detail}`, field };
}

export function validateName(name: unknown, rule: NameRule, field = "metadata.name"): StatusCause[] {
  if (typeof name !== "string" || name === "")
    return [{ reason: "FieldValueRequired", message: "name or generateName is required", field }];
  const pattern = rule === "subdomain" ? DNS1123_SUBDOMAIN : rule === "label" ? DNS1123_LABEL : DNS1035_LABEL;
  const max = rule === "subdomain" ? 253 : 63;
  const causes: StatusCause[] = [];
  if (name.length > max) causes.push(invalid(field, name, `must be no more than ${max} characters`));
  if (!pattern.test(name)) causes.push(invalid(field, name, NAME_MESSAGES[rule]));
  return causes;
}

function validateContainers(containers: unknown, field: string): StatusCause[] {
  if (!Array.isArray(containers) || containers.length === 0) return [required(field)];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  containers.forEach((raw: unknown, i) => {
    const c = (isObject(raw) ? raw : {}) as Partial<ContainerSpec>;
    const at = `${field}[${i}]`;
    if (!c.name) causes.push(required(`${at}.name`));
    else {
      causes.push(...validateName(c.name, "label", `${at}.name`));
      if (seen.has(c.name))
        causes.push({
          reason: "FieldValueDuplicate",
          message: `Duplicate value: ${goValue(c.name)}`,
          field: `${at}.name`,
        });
      seen.add(c.name);
    }
    if (!c.image || (typeof c.image === "string" && c.image.trim() === "")) causes.push(required(`${at}.image`));
  });
  return causes;
}

export function validatePodTemplate(template: PodTemplate | undefined, field: string): StatusCause[] {
  return validateContainers(template?.spec?.containers, `${field}.spec.containers`);
}

function validateReplicas(replicas: unknown, field: string): StatusCause[] {
  if (replicas === undefined) return [];
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
    return [invalid(field, replicas, "must be greater than or equal to 0")];
  return [];
}

function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/** Shared by Deployments and ReplicaSets (apps/v1 ValidateDeploymentSpec / ValidateReplicaSetSpec). */
export function validateWorkloadSpec(spec: DeploymentSpec | undefined, kindLower: string): StatusCause[] {
  const causes: StatusCause[] = [];
  causes.push(...validateReplicas(spec?.replicas, "spec.replicas"));
  const selector = spec?.selector;
  if (!selector) causes.push(required("spec.selector"));
  else if (isEmptySelector(selector))
    causes.push(invalid("spec.selector", "{}", `empty selector is invalid for ${kindLower}`));
  const labels = spec?.template?.metadata?.labels;
  if (selector && !isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    causes.push(invalid("spec.template.metadata.labels", labels ?? {}, "`selector` does not match template `labels`"));
  }
  causes.push(...validatePodTemplate(spec?.template, "spec.template"));
  return causes;
}

export function validateDeploymentStrategy(spec: DeploymentSpec | undefined): StatusCause[] {
  const strategy = spec?.strategy;
  if (!strategy) return [];
  if (strategy.type === "Recreate" && strategy.rollingUpdate) {
    return [
      {
        reason: "FieldValueForbidden",
        message: "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        field: "spec.strategy.rollingUpdate",
      },
    ];
  }
  if (strategy.type !== undefined && strategy.type !== "Recreate" && strategy.type !== "RollingUpdate") {
    return [
      {
        reason: "FieldValueNotSupported",
        message: `Unsupported value: ${goValue(strategy.type)}: supported values: "Recreate", "RollingUpdate"`,
        field: "spec.strategy.type",
      },
    ];
  }
  const surge = strategy.rollingUpdate?.maxSurge;
  const unavailable = strategy.rollingUpdate?.maxUnavailable;
  if (isZero(surge) && isZero(unavailable)) {
    return [invalid("spec.strategy.rollingUpdate.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0")];
  }
  return [];
}

function isZero(v: number | string | undefined): boolean {
  return v === 0 || v === "0%" || v === "0";
}

export function immutable(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${goValue(value)}: field is immutable`, field };
}

export function validateMetadataLabels(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (
      typeof value !== "string" ||
      value.length > 63 ||
      !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)
    ) {
      causes.push(
        invalid(
          "metadata.labels",
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
    if (
      !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(
        key,
      )
    ) {
      causes.push(
        invalid(
          "metadata.labels",
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
  }
  return causes;
}
