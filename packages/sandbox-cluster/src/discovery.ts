/** Discovery documents (/version, /api, /apis, /api/v1, /apis/<group>/<version>) as kube-apiserver 1.20 serves them. */
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from "./resources";
import type { JsonObject } from "./types";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function versionInfo(): JsonObject {
  return {
    major: "1",
    minor: "20",
    gitVersion: "v1.20.2-greenlight-sandbox",
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2021-01-13T13:20:00Z",
    goVersion: "go1.15.5",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function coreVersions(serverAddress: string): JsonObject {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of RESOURCE_TYPES) {
    if (!t.group) continue;
    const versions = out.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    out.set(t.group, versions);
  }
  return out;
}

function groupDocument(name: string, versions: string[]): JsonObject {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(): JsonObject {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups()].map(([name, versions]) => groupDocument(name, versions)),
  };
}

export function apiGroup(name: string): JsonObject | undefined {
  const versions = groups().get(name);
  return versions ? { kind: "APIGroup", apiVersion: "v1", ...groupDocument(name, versions) } : undefined;
}

function resourceEntries(type: ResourceType): JsonObject[] {
  const main: JsonObject = {
    name: type.resource,
    singularName: "",
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.resource === "namespaces" ? VERBS.filter((v) => v !== "deletecollection") : VERBS,
  };
  if (type.shortNames.length) main.shortNames = type.shortNames;
  if (["pods", "services", "deployments", "replicasets"].includes(type.resource)) main.categories = ["all"];
  const entries: JsonObject[] = [main];
  for (const sub of type.subresources) {
    if (sub === "status")
      entries.push({
        name: `${type.resource}/status`,
        singularName: "",
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ["get", "patch", "update"],
      });
    if (sub === "scale")
      entries.push({
        name: `${type.resource}/scale`,
        singularName: "",
        namespaced: type.namespaced,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
      });
  }
  return entries;
}

export function apiResourceList(group: string, version: string): JsonObject | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf(types[0]),
    resources: types.flatMap(resourceEntries),
  };
}
