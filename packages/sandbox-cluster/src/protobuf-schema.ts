/**
 * The protobuf messages of the kinds the sandbox serves, loaded from the .proto files in
 * proto/ (extracts of Kubernetes' generated.proto). Only top-level kinds are looked up here, so
 * a body cannot claim to be a `PodSpec`: the served kinds, their lists, Status and DeleteOptions.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { apiVersionOf, RESOURCE_TYPES } from "./resources";

const PROTO_FILES = [
  "runtime.proto",
  "intstr.proto",
  "resource.proto",
  "meta.proto",
  "core.proto",
  "apps.proto",
  "networking.proto",
];
const META_PACKAGE = "k8s.io.apimachinery.pkg.apis.meta.v1";
/** Kubernetes registers these meta types in every group version (metav1.AddToGroupVersion). */
const META_KINDS = ["Status", "DeleteOptions"];

let loaded: { root: protobuf.Root; kinds: Map<string, protobuf.Type> } | undefined;

function load(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const root = new protobuf.Root();
  // keepCase: Kubernetes' field names already are the JSON names (`clusterIP`, `podIPs`).
  for (const file of PROTO_FILES)
    protobuf.parse(readFileSync(new URL(`./proto/${file}`, import.meta.url), "utf8"), root, { keepCase: true });
  root.resolveAll();
  const kinds = new Map<string, protobuf.Type>();
  for (const type of RESOURCE_TYPES) {
    const pkg = packageOf(type.group, type.version);
    for (const kind of [type.kind, `${type.kind}List`]) {
      const message = root.lookup(`${pkg}.${kind}`);
      if (message instanceof protobuf.Type) kinds.set(key(apiVersionOf(type), kind), message);
    }
  }
  loaded = { root, kinds };
  return loaded;
}

/** Kubernetes' convention: group `networking.k8s.io` version v1 lives in package k8s.io.api.networking.v1; the core group in k8s.io.api.core.v1. */
function packageOf(group: string, version: string): string {
  return `k8s.io.api.${group ? group.split(".")[0] : "core"}.${version}`;
}

function key(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** The message of a top-level kind, or undefined when the sandbox has no protobuf schema for it. */
export function messageTypeOf(apiVersion: string, kind: string): protobuf.Type | undefined {
  const { root, kinds } = load();
  if (META_KINDS.includes(kind)) return root.lookupType(`${META_PACKAGE}.${kind}`);
  return kinds.get(key(apiVersion, kind));
}

/** runtime.Unknown: the envelope every protobuf-encoded Kubernetes object travels in. */
export function unknownType(): protobuf.Type {
  return load().root.lookupType("k8s.io.apimachinery.pkg.runtime.Unknown");
}
