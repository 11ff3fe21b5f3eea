/**
 * /openapi/v2 without definitions: enough for `kubectl apply`, `create` and their client-side
 * validation (which then has no schema to check against, so kubectl computes apply patches
 * from its built-in types), not for `kubectl explain`. Each served kind has its item path's
 * PATCH operation with a `dryRun` parameter, because kubectl before 1.26 refuses
 * `--dry-run=server` for a kind whose PATCH does not list one (cli-runtime's DryRunVerifier).
 * kubectl asks for gnostic's protobuf form; other clients get the same document in JSON.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { RESOURCE_TYPES, type ResourceType } from "./resources";
import type { JsonObject } from "./types";

const GVK_EXTENSION = "x-kubernetes-group-version-kind";
const DRY_RUN_DESCRIPTION =
  "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed";

interface PatchOperation {
  path: string;
  operationId: string;
  gvk: { group: string; kind: string; version: string };
}

function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The PATCH of one object of a type, named as kube-apiserver names it (patchAppsV1NamespacedDeployment). */
function patchOperation(type: ResourceType): PatchOperation {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const path = type.namespaced
    ? `${prefix}/namespaces/{namespace}/${type.resource}/{name}`
    : `${prefix}/${type.resource}/{name}`;
  const group = type.group ? pascal(type.group.split(".")[0]) : "Core";
  const operationId = `patch${group}${pascal(type.version)}${type.namespaced ? "Namespaced" : ""}${type.kind}`;
  return { path, operationId, gvk: { group: type.group, kind: type.kind, version: type.version } };
}

export function openApiJson(version: string): JsonObject {
  const paths: JsonObject = {};
  for (const op of RESOURCE_TYPES.map(patchOperation)) {
    paths[op.path] = {
      patch: {
        description: `partially update the specified ${op.gvk.kind}`,
        operationId: op.operationId,
        parameters: [
          { uniqueItems: true, type: "string", description: DRY_RUN_DESCRIPTION, name: "dryRun", in: "query" },
        ],
        [GVK_EXTENSION]: op.gvk,
      },
    };
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version }, paths, definitions: {} };
}

let documentType: protobuf.Type | undefined;

/** The same document as gnostic's openapi_v2.Document (what kubectl reads). */
export function openApiProtobuf(): Buffer {
  if (!documentType) {
    const root = new protobuf.Root();
    protobuf.parse(readFileSync(new URL("./proto/openapi.proto", import.meta.url), "utf8"), root, { keepCase: true });
    documentType = root.resolveAll().lookupType("openapi.v2.Document");
  }
  const path = RESOURCE_TYPES.map(patchOperation).map((op) => ({
    name: op.path,
    value: {
      patch: {
        description: `partially update the specified ${op.gvk.kind}`,
        operation_id: op.operationId,
        parameters: [
          {
            parameter: {
              non_body_parameter: {
                query_parameter_sub_schema: {
                  in: "query",
                  description: DRY_RUN_DESCRIPTION,
                  name: "dryRun",
                  type: "string",
                  unique_items: true,
                },
              },
            },
          },
        ],
        // gnostic keeps extension values as YAML text; kubectl parses it into a map.
        vendor_extension: [
          {
            name: GVK_EXTENSION,
            value: { yaml: `group: "${op.gvk.group}"\nkind: ${op.gvk.kind}\nversion: ${op.gvk.version}\n` },
          },
        ],
      },
    },
  }));
  return Buffer.from(documentType.encode(documentType.fromObject({ swagger: "2.0", paths: { path } })).finish());
}
