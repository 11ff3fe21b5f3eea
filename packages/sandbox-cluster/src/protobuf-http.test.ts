/** The sandbox's HTTP API with protobuf bodies and protobuf-only clients (what kubectl ≥ 1.30 and client-go can send). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./index";
import { decodeProtobufBody, encodeProtobufBody, PROTOBUF_MEDIA_TYPE } from "./protobuf";
import { unknownType } from "./protobuf-schema";
import { clientsFor, deploymentBody, sleep, startTestSandbox, waitForRollout, type Clients } from "./test-support";
import type { JsonObject } from "./types";

const ns = "protobuf-check";
const PROTOBUF_OR_JSON = `${PROTOBUF_MEDIA_TYPE},application/json`;
let sandbox: Sandbox;
let c: Clients;

function call(
  path: string,
  init: { method?: string; body?: Buffer | string; contentType?: string; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${sandbox.token}` };
  if (init.contentType) headers["content-type"] = init.contentType;
  if (init.accept) headers.accept = init.accept;
  const body = typeof init.body === "string" || init.body === undefined ? init.body : new Uint8Array(init.body);
  return fetch(`${sandbox.url}${path}`, { method: init.method ?? "GET", headers, body });
}

function protobufOf(obj: object): Buffer {
  const encoded = encodeProtobufBody(obj);
  if (!encoded) throw new Error("no protobuf form");
  return encoded;
}

async function decoded(res: Response, apiVersion: string, kind: string): Promise<JsonObject> {
  expect(res.headers.get("content-type")).toBe(PROTOBUF_MEDIA_TYPE);
  return decodeProtobufBody(Buffer.from(await res.arrayBuffer()), { apiVersion, kind });
}

const deployments = `/apis/apps/v1/namespaces/${ns}/deployments`;

describe("the sandbox over protobuf", () => {
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    c = clientsFor(sandbox);
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it("creates from a protobuf body and answers JSON to a client that also accepts JSON", async () => {
    const body = protobufOf(deploymentBody("pbweb", "registry.example/pbweb:1.0.0", 2));
    const res = await call(deployments, {
      method: "POST",
      body,
      contentType: PROTOBUF_MEDIA_TYPE,
      accept: PROTOBUF_OR_JSON,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    const created = (await res.json()) as { metadata: { uid?: string }; spec: { replicas: number } };
    expect(created.metadata.uid).toBeTruthy();
    expect(created.spec.replicas).toBe(2);

    const rolled = await waitForRollout(c.kc, ns, "pbweb");
    expect(rolled.spec?.template.spec?.containers[0].image).toBe("registry.example/pbweb:1.0.0");
    expect(rolled.status?.availableReplicas).toBe(2);
  });

  it("replaces from a protobuf body", async () => {
    const current = (await (await call(`${deployments}/pbweb`)).json()) as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    current.spec.template.spec.containers[0].image = "registry.example/pbweb:1.1.0";
    const res = await call(`${deployments}/pbweb`, {
      method: "PUT",
      body: protobufOf(current),
      contentType: PROTOBUF_MEDIA_TYPE,
    });
    expect(res.status).toBe(200);
    const rolled = await waitForRollout(c.kc, ns, "pbweb");
    expect(rolled.spec?.template.spec?.containers[0].image).toBe("registry.example/pbweb:1.1.0");
  });

  it("answers protobuf to a client that accepts only protobuf, the same objects as in JSON", async () => {
    const paths: [string, string, string][] = [
      [deployments, "apps/v1", "DeploymentList"],
      [`/apis/apps/v1/namespaces/${ns}/replicasets`, "apps/v1", "ReplicaSetList"],
      [`/api/v1/namespaces/${ns}/pods`, "v1", "PodList"],
      ["/api/v1/namespaces", "v1", "NamespaceList"],
      [`${deployments}/pbweb`, "apps/v1", "Deployment"],
    ];
    for (const [path, apiVersion, kind] of paths) {
      // Controllers may write between the two reads; compare a pair read at one resourceVersion.
      for (let attempt = 0; ; attempt++) {
        const json = (await (await call(path)).json()) as JsonObject;
        const proto = await decoded(await call(path, { accept: PROTOBUF_MEDIA_TYPE }), apiVersion, kind);
        const version = (o: JsonObject) => JSON.stringify((o.metadata as JsonObject).resourceVersion);
        if (version(json) !== version(proto) && attempt < 5) {
          await sleep(50);
          continue;
        }
        expect(proto, path).toEqual(json);
        break;
      }
    }
  });

  it("answers errors to a protobuf-only client as a protobuf Status", async () => {
    const res = await call(`${deployments}/missing`, { accept: PROTOBUF_MEDIA_TYPE });
    expect(res.status).toBe(404);
    expect(await decoded(res, "v1", "Status")).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      code: 404,
    });
  });

  it("answers 406 with a JSON Status when only protobuf is accepted and the answer has none, before acting", async () => {
    const refused = [
      call(deployments, { accept: `${PROTOBUF_MEDIA_TYPE};as=Table;v=v1;g=meta.k8s.io` }),
      call(`${deployments}/pbweb/scale`, { accept: PROTOBUF_MEDIA_TYPE }),
      call(`${deployments}?watch=1`, { accept: PROTOBUF_MEDIA_TYPE }),
      call("/apis", { accept: PROTOBUF_MEDIA_TYPE }),
      call(`${deployments}/pbweb/scale`, {
        method: "PUT",
        accept: PROTOBUF_MEDIA_TYPE,
        contentType: "application/json",
        body: JSON.stringify({
          apiVersion: "autoscaling/v1",
          kind: "Scale",
          metadata: { name: "pbweb" },
          spec: { replicas: 5 },
        }),
      }),
    ];
    for (const res of await Promise.all(refused)) {
      expect(res.status).toBe(406);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toMatchObject({ kind: "Status", status: "Failure", reason: "NotAcceptable", code: 406 });
    }
    const after = await c.apps.readNamespacedDeployment({ name: "pbweb", namespace: ns });
    expect(after.spec?.replicas).toBe(2);
  });

  it("persists nothing for a protobuf create with dryRun=All", async () => {
    const body = protobufOf(deploymentBody("pbdry", "registry.example/pbdry:1.0.0", 2));
    const res = await call(`${deployments}?dryRun=All`, {
      method: "POST",
      body,
      contentType: PROTOBUF_MEDIA_TYPE,
      accept: PROTOBUF_OR_JSON,
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { metadata: { name: string } }).metadata.name).toBe("pbdry");
    await sleep(150);
    expect((await call(`${deployments}/pbdry`)).status).toBe(404);
    const rs = await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=pbdry" });
    expect(rs.items).toHaveLength(0);
  });

  it("reads DeleteOptions sent in protobuf", async () => {
    const options = (extra: object) => protobufOf({ apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions", ...extra });
    const dry = await call(`${deployments}/pbweb`, {
      method: "DELETE",
      body: options({ dryRun: ["All"] }),
      contentType: PROTOBUF_MEDIA_TYPE,
    });
    expect(dry.status).toBe(200);
    expect((await call(`${deployments}/pbweb`)).status).toBe(200);

    const stale = await call(`${deployments}/pbweb`, {
      method: "DELETE",
      body: options({ preconditions: { resourceVersion: "1" } }),
      contentType: PROTOBUF_MEDIA_TYPE,
    });
    expect(stale.status).toBe(409);
  });

  it("answers an unknown kind or an undecodable protobuf body with a Status, and keeps serving", async () => {
    const Unknown = unknownType();
    const envelope = (apiVersion: string, kind: string, raw: Uint8Array) =>
      Buffer.concat([
        Buffer.from("k8s\0", "latin1"),
        Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish(),
      ]);
    // ConfigMap{metadata{name: "cm"}}: a kind the sandbox does not serve.
    const configMap = envelope("v1", "ConfigMap", Buffer.from([0x0a, 0x04, 0x0a, 0x02, 0x63, 0x6d]));
    const cases: [Buffer, string, number, string][] = [
      [configMap, `/api/v1/namespaces/${ns}/pods`, 400, "BadRequest"],
      [Buffer.from('{"kind":"Pod"}'), `/api/v1/namespaces/${ns}/pods`, 400, "BadRequest"],
      [Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff]), `/api/v1/namespaces/${ns}/pods`, 400, "BadRequest"],
      // A ReplicaSet where a Deployment is expected: decoded, then refused like the same JSON body.
      [
        protobufOf({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "x" } }),
        deployments,
        400,
        "BadRequest",
      ],
      // A Service from another group version.
      [protobufOf({ apiVersion: "v1", kind: "Service", metadata: { name: "x" } }), deployments, 400, "BadRequest"],
      [
        envelope("autoscaling/v1", "Scale", new Uint8Array()),
        `${deployments}/pbweb/scale`,
        415,
        "UnsupportedMediaType",
      ],
    ];
    for (const [body, path, code, reason] of cases) {
      const method = path.endsWith("/scale") ? "PUT" : "POST";
      const res = await call(path, { method, body, contentType: PROTOBUF_MEDIA_TYPE, accept: PROTOBUF_OR_JSON });
      expect(res.status, path).toBe(code);
      expect(await res.json()).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason, code });
    }
    expect((await call("/api/v1/namespaces")).status).toBe(200);
  });
});
