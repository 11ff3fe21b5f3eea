/**
 * What kube-apiserver's generic registry does between a request and etcd: defaulting,
 * validation, resourceVersion preconditions, generation, status/spec separation, dry-run.
 * Both the HTTP layer and the in-process controllers go through here, so the controllers'
 * writes produce the same events and resourceVersions that a client watching would see.
 */
import { randomUUID } from "node:crypto";
import { applyPatch, canonicalJson, deepEqual } from "./patch";
import { apiVersionOf, commonValidation, type ResourceType } from "./resources";
import { ApiError, errors, successStatus, type StatusCause } from "./status";
import { typeIdOf, type Store } from "./store";
import { clone, isObject, type JsonObject, type KubeObject, type ObjectBase, type ObjectMeta } from "./types";

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: "status";
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { resourceVersion?: string; uid?: string };
}

const NAMESPACE_TYPE_ID = "/namespaces";
const GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(length = 5): string {
  let out = "";
  for (let i = 0; i < length; i++)
    out += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return out;
}

export class ApiCore {
  constructor(readonly store: Store) {}

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(typeIdOf(type), type.namespaced ? namespace : undefined, name);
    if (!found) throw errors.notFound(type.resource, type.group, name);
    return withTypeMeta(type, found);
  }

  find(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.store.get(typeIdOf(type), type.namespaced ? namespace : undefined, name);
    return found && withTypeMeta(type, found);
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.store.list(typeIdOf(type), type.namespaced ? namespace : undefined).map((o) => withTypeMeta(type, o));
  }

  /** list() viewed as a narrower object type; the store only holds objects of `type`'s kind. */
  listAs<T extends ObjectBase>(type: ResourceType, namespace?: string): T[] {
    return this.list(type, namespace) as unknown as T[];
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KubeObject {
    const obj = this.decode(type, body);
    const meta = obj.metadata as Partial<ObjectMeta>;
    if (type.namespaced) {
      const bodyNamespace = meta.namespace;
      if (bodyNamespace && namespace && bodyNamespace !== namespace) {
        throw errors.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      meta.namespace = namespace ?? bodyNamespace ?? "default";
      const ns = this.store.get(NAMESPACE_TYPE_ID, undefined, meta.namespace);
      if (!ns) throw errors.notFound("namespaces", "", meta.namespace);
      if (ns.metadata.deletionTimestamp) {
        throw new ApiError(
          403,
          "Forbidden",
          `${type.resource} "${meta.name ?? meta.generateName}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
        );
      }
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    // Server-owned fields: whatever the client sent is replaced.
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    if (type.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    // Status is written by controllers through the status subresource; on create it starts empty.
    if (type.subresources.includes("status")) obj.status = {};
    type.applyDefaults(obj);
    this.validate(type, obj);
    if (this.store.get(typeIdOf(type), meta.namespace, obj.metadata.name))
      throw errors.alreadyExists(type.resource, type.group, obj.metadata.name);
    if (options.dryRun) return withTypeMeta(type, obj);
    return withTypeMeta(type, this.store.put(typeIdOf(type), obj));
  }

  replace(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const current = this.get(type, namespace, name);
    const obj = this.decode(type, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (type.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    return this.update(type, current, obj, options);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    patchBody: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const current = this.get(type, namespace, name);
    const patched = applyPatch(current as unknown as JsonObject, contentType, patchBody) as unknown as KubeObject;
    if (!isObject(patched.metadata)) throw errors.badRequest("metadata is required");
    if (patched.metadata.name !== name)
      throw errors.badRequest(
        `the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`,
      );
    return this.update(type, current, patched, options);
  }

  /** The shared update path of PUT and PATCH (rest.Update in the real registry). */
  private update(type: ResourceType, current: KubeObject, incoming: KubeObject, options: WriteOptions): KubeObject {
    const sentVersion = incoming.metadata.resourceVersion;
    if (sentVersion && sentVersion !== current.metadata.resourceVersion)
      throw errors.conflict(type.resource, type.group, current.metadata.name);
    let next: KubeObject;
    if (options.subresource === "status") {
      // A status write changes status only (the status strategy's PrepareForUpdate).
      next = clone(current);
      if (incoming.status !== undefined) next.status = incoming.status;
      else delete next.status;
    } else {
      next = incoming;
      next.apiVersion = apiVersionOf(type);
      next.kind = type.kind;
      // Server-owned metadata survives whatever the client sent.
      next.metadata.uid = current.metadata.uid;
      next.metadata.creationTimestamp = current.metadata.creationTimestamp;
      next.metadata.namespace = current.metadata.namespace;
      next.metadata.name = current.metadata.name;
      if (current.metadata.deletionTimestamp) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
      // Types with a status subresource ignore status on the main resource.
      if (type.subresources.includes("status")) {
        if (current.status !== undefined) next.status = current.status;
        else delete next.status;
      }
      type.applyDefaults(next);
      if (type.hasGeneration) {
        const specChanged = !deepEqual(current.spec, next.spec);
        // apps/v1 Deployments also bump generation on annotation changes: they are copied to ReplicaSets.
        const annotationsChanged =
          type.kind === "Deployment" && !deepEqual(current.metadata.annotations ?? {}, next.metadata.annotations ?? {});
        next.metadata.generation = (current.metadata.generation ?? 1) + (specChanged || annotationsChanged ? 1 : 0);
      } else delete next.metadata.generation;
      this.validate(type, next, current);
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    // A no-op write is not a write: no new resourceVersion, no watch event (as with etcd's GuaranteedUpdate).
    if (canonicalJson(next) === canonicalJson(current) || options.dryRun) return withTypeMeta(type, next);
    return withTypeMeta(type, this.store.put(typeIdOf(type), next));
  }

  /**
   * A controller's write of status and controller-owned metadata (annotations), as an
   * UpdateStatus call is in a cluster: no validation, no generation bump, no-op when unchanged.
   */
  controllerWrite(type: ResourceType, obj: ObjectBase): KubeObject {
    const current = this.find(type, obj.metadata.namespace, obj.metadata.name);
    if (!current) return obj as KubeObject;
    const next = withTypeMeta(type, clone(obj) as KubeObject);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    next.metadata.generation = current.metadata.generation;
    if (canonicalJson(next) === canonicalJson(current)) return current;
    return withTypeMeta(type, this.store.put(typeIdOf(type), next));
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): JsonObject {
    const current = this.get(type, namespace, name);
    const pre = options.preconditions;
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${type.group ? `${type.resource}.${type.group}` : type.resource} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        { name, group: type.group, kind: type.resource },
      );
    }
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new ApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${type.resource} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
        { name, group: type.group, kind: type.resource },
      );
    }
    if (type.resource === "namespaces") {
      // Namespaces terminate: the namespace controller empties them, then removes them.
      const terminating = clone(current);
      terminating.metadata.deletionTimestamp ??= now();
      terminating.status = { ...(terminating.status ?? {}), phase: "Terminating" };
      if (options.dryRun) return terminating as unknown as JsonObject;
      return withTypeMeta(type, this.store.put(typeIdOf(type), terminating)) as unknown as JsonObject;
    }
    if (options.dryRun)
      return type.resource === "pods"
        ? (current as unknown as JsonObject)
        : successStatus({ name, group: type.group, kind: type.resource, uid: current.metadata.uid });
    if (options.propagationPolicy === "Orphan") this.orphanDependents(current);
    const deleted = this.store.remove(typeIdOf(type), current.metadata.namespace, name);
    // Pods are deleted gracefully in a cluster, so their DELETE answers with the pod, not a Status.
    if (type.resource === "pods" && deleted) {
      deleted.metadata.deletionTimestamp = now();
      return withTypeMeta(type, deleted) as unknown as JsonObject;
    }
    return successStatus({ name, group: type.group, kind: type.resource, uid: current.metadata.uid });
  }

  private orphanDependents(owner: KubeObject): void {
    for (const typeId of ["apps/replicasets", "/pods"]) {
      for (const obj of this.store.list(typeId, owner.metadata.namespace)) {
        const refs = obj.metadata.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === owner.metadata.uid)) continue;
        obj.metadata.ownerReferences = refs.filter((r) => r.uid !== owner.metadata.uid);
        this.store.put(typeId, obj);
      }
    }
  }

  private decode(type: ResourceType, body: unknown): KubeObject {
    if (!isObject(body)) throw errors.badRequest("the body of the request must be a JSON object");
    const obj = clone(body) as unknown as KubeObject;
    if (obj.kind !== undefined && obj.kind !== type.kind) {
      throw errors.badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: the object kind ${String(obj.kind)} does not match`,
      );
    }
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    if (!isObject(obj.metadata)) obj.metadata = {} as ObjectMeta;
    return obj;
  }

  private validate(type: ResourceType, obj: KubeObject, old?: KubeObject): void {
    const causes: StatusCause[] = [...commonValidation(type, obj), ...type.validate(obj, old)];
    if (causes.length > 0) throw errors.invalid(type.kind, type.group, obj.metadata.name ?? "", causes);
  }
}

export function withTypeMeta(type: ResourceType, obj: KubeObject): KubeObject {
  // Keep apiVersion/kind first, as the API server serialises them.
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...rest } as KubeObject;
}

export function now(): string {
  // Kubernetes timestamps have second precision (RFC 3339, no fraction).
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
