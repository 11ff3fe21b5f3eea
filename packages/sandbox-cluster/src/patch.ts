/**
 * The three patch formats kube-apiserver accepts, chosen by Content-Type.
 * Strategic merge patch needs Kubernetes' per-field merge keys; the sandbox knows the
 * lists Greenlight and kubectl touch (containers, env, ports, volumes, …) and treats every
 * other list as atomic, which is what the real server does for lists without a patch strategy.
 */
import { errors } from "./status";
import { clone, isObject, type Json, type JsonObject } from "./types";

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;

export function applyPatch(target: JsonObject, contentType: string, body: unknown): JsonObject {
  const type = contentType.split(";")[0].trim().toLowerCase();
  switch (type) {
    case PATCH_TYPES.json:
      if (!Array.isArray(body)) throw errors.badRequest("json patch must be an array of operations");
      return applyJsonPatch(target, body);
    case PATCH_TYPES.merge:
      if (!isObject(body)) throw errors.badRequest("merge patch must be a JSON object");
      return mergePatch(target, body as JsonObject) as JsonObject;
    case PATCH_TYPES.strategic:
      if (!isObject(body)) throw errors.badRequest("strategic merge patch must be a JSON object");
      return strategicMergePatch(target, body as JsonObject, []) as JsonObject;
    default:
      throw errors.unsupportedMediaType();
  }
}

/** RFC 7386 JSON Merge Patch. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target as JsonObject) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Merge keys of strategic merge patch, by field name (and, for `ports`, by where the list
 * sits: container ports merge on containerPort, service ports on port).
 */
function mergeKeyFor(field: string, path: string[], items: Json[]): string | undefined {
  switch (field) {
    case "containers":
    case "initContainers":
    case "ephemeralContainers":
    case "env":
    case "volumes":
    case "imagePullSecrets":
      return "name";
    case "volumeMounts":
      return "mountPath";
    case "volumeDevices":
      return "devicePath";
    case "conditions":
      return "type";
    case "ownerReferences":
      return "uid";
    case "ports": {
      const inContainer = path.includes("containers") || path.includes("initContainers");
      if (inContainer) return "containerPort";
      return items.some((i) => isObject(i) && "containerPort" in i) ? "containerPort" : "port";
    }
    default:
      return undefined;
  }
}

/**
 * Strategic merge patch. Handles the directives kubectl emits: `$setElementOrder/<list>`
 * (order of the merged list), `$retainKeys` (ignored: only meaningful with `$patch: replace`
 * on union types), `$patch: delete` on list items and `$patch: replace` on maps, and
 * `$deleteFromPrimitiveList/<list>`.
 */
export function strategicMergePatch(target: Json | undefined, patch: Json, path: string[]): Json {
  if (!isObject(patch)) return clone(patch);
  const patchObj = patch as JsonObject;
  if (patchObj.$patch === "replace") {
    const copy = clone(patchObj);
    delete copy.$patch;
    return copy;
  }
  if (patchObj.$patch === "delete") return null;
  const result: JsonObject = isObject(target) ? clone(target as JsonObject) : {};
  const orders: Record<string, Json[]> = {};
  for (const [key, value] of Object.entries(patchObj)) {
    if (key === "$retainKeys" || key === "$patch") continue;
    if (key.startsWith("$setElementOrder/")) {
      if (Array.isArray(value)) orders[key.slice("$setElementOrder/".length)] = value;
      continue;
    }
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((item) => !value.some((v) => JSON.stringify(v) === JSON.stringify(item)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (Array.isArray(value)) {
      const mergeKey = mergeKeyFor(key, path, [...value, ...(Array.isArray(current) ? current : [])]);
      result[key] =
        mergeKey && Array.isArray(current)
          ? mergeList(current, value, mergeKey, [...path, key])
          : stripDirectives(value);
      continue;
    }
    result[key] = strategicMergePatch(current, value, [...path, key]);
  }
  for (const [field, order] of Object.entries(orders)) {
    const list = result[field];
    if (!Array.isArray(list)) continue;
    const mergeKey = mergeKeyFor(field, path, list);
    result[field] = reorder(list, order, mergeKey);
  }
  return result;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string, path: string[]): Json[] {
  const result = current.map((item) => clone(item));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const patchItem = item as JsonObject;
    const keyValue = patchItem[mergeKey];
    const index = result.findIndex((r) => isObject(r) && (r as JsonObject)[mergeKey] === keyValue);
    if (patchItem.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = strategicMergePatch(result[index], patchItem, path);
    else result.push(strategicMergePatch(undefined, patchItem, path));
  }
  return result;
}

function reorder(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keyOf = (item: Json): string =>
    JSON.stringify(mergeKey && isObject(item) ? (item as JsonObject)[mergeKey] : item);
  const rank = new Map(order.map((o, i) => [keyOf(o), i]));
  return [...list].sort((a, b) => (rank.get(keyOf(a)) ?? Infinity) - (rank.get(keyOf(b)) ?? Infinity));
}

function stripDirectives(value: Json[]): Json[] {
  return value
    .filter((v) => !(isObject(v) && (v as JsonObject).$patch === "delete"))
    .map((v) => strategicMergePatch(undefined, v, []));
}

interface JsonPatchOperation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw errors.badRequest(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolveParent(doc: JsonObject, tokens: string[], op: string): { parent: Json; last: string } {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = (node as JsonObject)[token];
    else node = undefined as unknown as Json;
    if (node === undefined || node === null)
      throw errors.invalidJsonPatch(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
  }
  return { parent: node, last: tokens[tokens.length - 1] };
}

function getAt(doc: JsonObject, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, last } = resolveParent(doc, tokens, op);
  const value = Array.isArray(parent)
    ? parent[Number(last)]
    : isObject(parent)
      ? (parent as JsonObject)[last]
      : undefined;
  if (value === undefined)
    throw errors.invalidJsonPatch(`${op} operation does not apply: doc is missing path: ${pointer}`);
  return value;
}

function removeAt(doc: JsonObject, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer);
  const { parent, last } = resolveParent(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length)
      throw errors.invalidJsonPatch(`${op} operation does not apply: doc is missing path: ${pointer}`);
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !(last in parent))
    throw errors.invalidJsonPatch(`${op} operation does not apply: doc is missing path: ${pointer}`);
  const obj = parent as JsonObject;
  const value = obj[last];
  delete obj[last];
  return value;
}

function addAt(doc: JsonObject, pointer: string, value: Json, op: string, replace: boolean): JsonObject {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) {
    if (!isObject(value)) throw errors.badRequest("cannot replace the whole document with a non-object");
    return clone(value as JsonObject);
  }
  const { parent, last } = resolveParent(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    const max = replace ? parent.length - 1 : parent.length;
    if (!Number.isInteger(index) || index < 0 || index > max)
      throw errors.invalidJsonPatch(`${op} operation does not apply: index out of range: ${pointer}`);
    if (replace) parent[index] = clone(value);
    else parent.splice(index, 0, clone(value));
  } else if (isObject(parent)) {
    const obj = parent as JsonObject;
    if (replace && !(last in obj))
      throw errors.invalidJsonPatch(`replace operation does not apply: doc is missing key: ${pointer}`);
    obj[last] = clone(value);
  } else throw errors.invalidJsonPatch(`${op} operation does not apply: doc is missing path: ${pointer}`);
  return doc;
}

/** RFC 6902 JSON Patch, including `test`; the whole patch fails if any operation fails. */
export function applyJsonPatch(target: JsonObject, operations: unknown[]): JsonObject {
  let doc = clone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string")
      throw errors.badRequest("invalid JSON patch operation");
    const op = raw as unknown as JsonPatchOperation;
    switch (op.op) {
      case "add":
        doc = addAt(doc, op.path, requireValue(op), "add", false);
        break;
      case "replace":
        doc = addAt(doc, op.path, requireValue(op), "replace", true);
        break;
      case "remove":
        removeAt(doc, op.path, "remove");
        break;
      case "move": {
        const value = removeAt(doc, requireFrom(op), "move");
        doc = addAt(doc, op.path, value, "move", false);
        break;
      }
      case "copy":
        doc = addAt(doc, op.path, clone(getAt(doc, requireFrom(op), "copy")), "copy", false);
        break;
      case "test": {
        const actual = getAt(doc, op.path, "test");
        if (!deepEqual(actual, requireValue(op)))
          throw errors.invalidJsonPatch(`testing value ${op.path} failed: test failed`);
        break;
      }
      default:
        throw errors.badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

function requireValue(op: JsonPatchOperation): Json {
  if (!("value" in op)) throw errors.badRequest(`${op.op} operation has no value`);
  return op.value as Json;
}

function requireFrom(op: JsonPatchOperation): string {
  if (typeof op.from !== "string") throw errors.badRequest(`${op.op} operation has no from`);
  return op.from;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with sorted keys, so equal objects serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) if (value[key] !== undefined) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
