/**
 * Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`): the magic bytes
 * `k8s\0`, then a runtime.Unknown whose typeMeta names the kind and whose raw holds the object's
 * own message. kubectl 1.30 and later send create bodies this way, so the sandbox reads it for
 * every kind it serves; it answers in protobuf only to a client that accepts nothing else.
 */
import { decodeMessage, encodeMessage } from "./protobuf-json";
import { messageTypeOf, unknownType } from "./protobuf-schema";
import { ApiError, errors } from "./status";
import { isObject, type JsonObject } from "./types";

export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
/** Kinds Kubernetes registers in every group version, so any apiVersion may carry them. */
const META_KINDS = new Set(["Status", "DeleteOptions"]);

export interface ExpectedKind {
  apiVersion: string;
  kind: string;
}

function mediaTypes(header: string | undefined): string[] {
  return (header ?? "")
    .split(",")
    .map((part) => part.split(";")[0].trim().toLowerCase())
    .filter(Boolean);
}

export function isProtobuf(contentType: string | undefined): boolean {
  return mediaTypes(contentType)[0] === PROTOBUF_MEDIA_TYPE;
}

/**
 * Whether a client can read nothing but protobuf. kubectl and client-go list JSON after
 * protobuf (`application/vnd.kubernetes.protobuf,application/json`) and read either, so the
 * sandbox answers those in JSON, the one format it can write for every response.
 */
export function acceptsOnlyProtobuf(accept: string | undefined): boolean {
  const types = mediaTypes(accept);
  return types.length > 0 && types.every((t) => t === PROTOBUF_MEDIA_TYPE);
}

/**
 * A protobuf request body as the JSON object it stands for, with apiVersion and kind from the
 * envelope (defaulted from the endpoint, as kube-apiserver does). Errors are the Status bodies
 * kube-apiserver answers: 400 for what cannot be decoded or names another version, 415 for a
 * kind the sandbox serves here but has no protobuf schema for.
 */
export function decodeProtobufBody(body: Buffer, expected: ExpectedKind): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw errors.badRequest(
      `the object provided is unrecognized (must be of type ${expected.kind}): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]`,
    );
  }
  let envelope: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  try {
    const Unknown = unknownType();
    envelope = Unknown.toObject(Unknown.decode(body.subarray(MAGIC.length)));
  } catch (error) {
    throw errors.badRequest(
      `the object provided is unrecognized (must be of type ${expected.kind}): ${(error as Error).message}`,
    );
  }
  const apiVersion = envelope.typeMeta?.apiVersion || expected.apiVersion;
  const kind = envelope.typeMeta?.kind || expected.kind;
  const cannotHandle = (reason: string) =>
    errors.badRequest(
      `${kind} in version "${apiVersion.split("/").pop()}" cannot be handled as a ${expected.kind}: ${reason}`,
    );
  if (!META_KINDS.has(kind) && apiVersion !== expected.apiVersion) {
    throw errors.badRequest(
      `the API version in the data (${apiVersion}) does not match the expected API version (${expected.apiVersion})`,
    );
  }
  const type = messageTypeOf(apiVersion, kind);
  if (!type) {
    if (kind === expected.kind) throw unsupportedBody();
    throw cannotHandle(`no kind "${kind}" is registered for version "${apiVersion}" in the sandbox`);
  }
  try {
    return { apiVersion, kind, ...decodeMessage(type, envelope.raw ?? new Uint8Array()) };
  } catch (error) {
    throw cannotHandle((error as Error).message);
  }
}

/** Whether responses of this kind (and its lists) can be written in protobuf. */
export function canEncodeKind(apiVersion: string, kind: string): boolean {
  return messageTypeOf(apiVersion, kind) !== undefined;
}

/**
 * The protobuf form of a response body (an object, a list or a Status, with apiVersion and
 * kind), or undefined when the sandbox has no schema for its kind (tables, Scale, discovery).
 */
export function encodeProtobufBody(body: unknown): Buffer | undefined {
  if (!isObject(body) || typeof body.apiVersion !== "string" || typeof body.kind !== "string") return undefined;
  const type = messageTypeOf(body.apiVersion, body.kind);
  if (!type) return undefined;
  const Unknown = unknownType();
  const envelope = Unknown.fromObject({
    typeMeta: { apiVersion: body.apiVersion, kind: body.kind },
    raw: encodeMessage(type, body as JsonObject),
    contentEncoding: "",
    contentType: "",
  });
  return Buffer.concat([MAGIC, Unknown.encode(envelope).finish()]);
}

/** 406 for a client that accepts only protobuf when the sandbox can only answer JSON. */
export function notAcceptable(): ApiError {
  return new ApiError(406, "NotAcceptable", "only the following media types are accepted: application/json");
}

function unsupportedBody(): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    "the body of the request was in an unknown format - accepted media types include: application/json",
  );
}
