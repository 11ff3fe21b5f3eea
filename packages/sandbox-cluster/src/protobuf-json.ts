/**
 * Between a Kubernetes protobuf message and the JSON the sandbox stores, following the Go
 * types' JSON rather than protobuf's: the Go encoder (gogo) writes every non-pointer field, so a
 * zero on the wire usually means "unset" and JSON omits it, unless the field is a pointer or not
 * `omitempty` (`(greenlight.emit_zero)` in proto/). Messages always appear once present: Go's
 * JSON shows non-pointer structs as `{}` (`"strategy": {}`, `"resources": {}`), as kubectl's JSON
 * bodies do. Time, MicroTime, IntOrString and Quantity have custom JSON in Kubernetes.
 */
import protobuf from "protobufjs";
import { isObject, type Json, type JsonObject } from "./types";

/** A message as protobufjs' toObject/fromObject see it: only the fields present. */
type Plain = Record<string, unknown>;

const EMIT_ZERO = "(greenlight.emit_zero)";
const INLINE = "(greenlight.inline)";

interface CustomJson {
  toJson(plain: Plain): Json;
  fromJson(value: Json): Plain | undefined;
}

/** metav1.Time is RFC 3339 with seconds (its protobuf drops nanos too); MicroTime keeps microseconds. */
function timestamp(micro: boolean): CustomJson {
  return {
    toJson(plain) {
      // An empty Time is Go's zero time, which JSON writes as null (`"creationTimestamp": null`).
      if (plain.seconds === undefined && plain.nanos === undefined) return null;
      const seconds = Number(plain.seconds ?? 0);
      const base = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "");
      if (!micro) return `${base}Z`;
      const micros = Math.floor(Number(plain.nanos ?? 0) / 1000);
      return `${base}.${String(micros).padStart(6, "0")}Z`;
    },
    fromJson(value) {
      if (value === null) return {};
      if (typeof value !== "string") return undefined;
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) return undefined;
      const seconds = Math.floor(ms / 1000);
      if (!micro) return { seconds };
      // Date keeps milliseconds only; the fraction is read from the text for microseconds.
      const fraction = /\.(\d+)/.exec(value)?.[1] ?? "";
      const nanos = Number(fraction.padEnd(9, "0").slice(0, 9));
      return nanos ? { seconds, nanos } : { seconds };
    },
  };
}

const intOrString: CustomJson = {
  // type 0 is an int, 1 a string (intstr.Type).
  toJson: (plain) => (Number(plain.type ?? 0) === 1 ? String(plain.strVal ?? "") : Number(plain.intVal ?? 0)),
  fromJson: (value) =>
    typeof value === "number"
      ? { type: 0, intVal: value }
      : typeof value === "string"
        ? { type: 1, strVal: value }
        : undefined,
};

const quantity: CustomJson = {
  toJson: (plain) => String(plain.string ?? ""),
  // A JSON body may carry a quantity as a bare number (`cpu: 1`); Kubernetes reads it as "1".
  fromJson: (value) => (typeof value === "string" || typeof value === "number" ? { string: String(value) } : undefined),
};

const CUSTOM: Record<string, CustomJson> = {
  ".k8s.io.apimachinery.pkg.apis.meta.v1.Time": timestamp(false),
  ".k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": timestamp(true),
  ".k8s.io.apimachinery.pkg.util.intstr.IntOrString": intOrString,
  ".k8s.io.apimachinery.pkg.api.resource.Quantity": quantity,
};

/** Decodes one message (no envelope) into Kubernetes JSON. */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): JsonObject {
  // longs: Number — int64 fields (generation, seconds) are far below 2^53 in practice.
  return messageToJson(type, type.toObject(type.decode(bytes), { longs: Number }));
}

/** Encodes Kubernetes JSON as one message (no envelope); JSON fields the schema lacks are left out. */
export function encodeMessage(type: protobuf.Type, json: JsonObject): Uint8Array {
  return type.encode(type.fromObject(messageFromJson(type, json))).finish();
}

function messageToJson(type: protobuf.Type, plain: Plain): JsonObject {
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const value = plain[field.name];
    if (value === undefined || value === null) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (nested && field.options?.[INLINE] && isObject(value)) {
      Object.assign(out, messageToJson(nested, value));
      continue;
    }
    const converted = fieldToJson(field, nested, value);
    if (converted !== undefined) out[field.name] = converted;
  }
  return out;
}

function fieldToJson(field: protobuf.Field, nested: protobuf.Type | undefined, value: unknown): Json | undefined {
  if (field.map) {
    if (!isObject(value)) return undefined;
    const entries = Object.entries(value).map(([k, v]) => [k, valueToJson(nested, v)] as const);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  if (field.repeated) {
    if (!Array.isArray(value) || value.length === 0) return undefined;
    return value.map((v: unknown) => valueToJson(nested, v));
  }
  if (nested) return valueToJson(nested, value);
  const zero = value === "" || value === 0 || value === false;
  return zero && !field.options?.[EMIT_ZERO] ? undefined : scalar(value);
}

function valueToJson(nested: protobuf.Type | undefined, value: unknown): Json {
  if (!nested) return scalar(value);
  const plain = isObject(value) ? value : {};
  const custom = CUSTOM[nested.fullName];
  return custom ? custom.toJson(plain) : messageToJson(nested, plain);
}

function scalar(value: unknown): Json {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  // bytes: none of the mapped kinds carries any; base64 is how Go's JSON would write them.
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return String(value);
}

function messageFromJson(type: protobuf.Type, json: JsonObject): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (nested && field.options?.[INLINE]) {
      out[field.name] = messageFromJson(nested, json);
      continue;
    }
    const value = json[field.name];
    if (value === undefined) continue;
    const converted = fieldFromJson(field, nested, value);
    if (converted !== undefined) out[field.name] = converted;
  }
  return out;
}

function fieldFromJson(field: protobuf.Field, nested: protobuf.Type | undefined, value: Json): unknown {
  if (field.map) {
    if (!isObject(value)) return undefined;
    return Object.fromEntries(
      Object.entries(value).flatMap(([k, v]) => {
        const converted = valueFromJson(nested, v);
        return converted === undefined ? [] : [[k, converted]];
      }),
    );
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return undefined;
    return value.map((v) => valueFromJson(nested, v)).filter((v) => v !== undefined);
  }
  return valueFromJson(nested, value);
}

function valueFromJson(nested: protobuf.Type | undefined, value: Json): unknown {
  if (!nested) return value === null ? undefined : value;
  const custom = CUSTOM[nested.fullName];
  if (custom) return custom.fromJson(value);
  return isObject(value) ? messageFromJson(nested, value as JsonObject) : undefined;
}
