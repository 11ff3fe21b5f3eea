import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { acceptsOnlyProtobuf, decodeProtobufBody, encodeProtobufBody, isProtobuf } from "./protobuf";
import { messageTypeOf, unknownType } from "./protobuf-schema";
import { ApiError } from "./status";
import type { JsonObject } from "./types";

/** Bodies kubectl 1.32 POSTed for `create namespace fixture`, `create deployment web --image=registry.example/web:1.0.0 --replicas=2 -n fixture`, `create service clusterip web --tcp=80:8080 -n fixture`. */
const KUBECTL_132 = {
  namespace: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEh8KFwoHZml4dHVyZRIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==",
  deployment:
    "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsYBCiYKA3dlYhIAGgdmaXh0dXJlIgAqADIAOABCAFoKCgNhcHASA3dlYhKNAQgCEgwKCgoDYXBwEgN3ZWIacwocCgASABoAIgAqADIAOABCAFoKCgNhcHASA3dlYhJTEjUKA3dlYhIacmVnaXN0cnkuZXhhbXBsZS93ZWI6MS4wLjAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
  service:
    "azhzAAoNCgJ2MRIHU2VydmljZRJwCiYKA3dlYhIAGgdmaXh0dXJlIgAqADIAOABCAFoKCgNhcHASA3dlYhJCChsKBzgwLTgwODASA1RDUBhQIgcIABCQPxoAKAASCgoDYXBwEgN3ZWIaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=",
};

function decode(base64: string, apiVersion: string, kind: string): JsonObject {
  return decodeProtobufBody(Buffer.from(base64, "base64"), { apiVersion, kind });
}

function roundTrip(obj: JsonObject): JsonObject {
  const encoded = encodeProtobufBody(obj);
  if (!encoded) throw new Error(`no protobuf form for ${String(obj.kind)}`);
  return decodeProtobufBody(encoded, { apiVersion: String(obj.apiVersion), kind: String(obj.kind) });
}

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

/** The runtime.Unknown envelope around any message, built with protobufjs directly. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const Unknown = unknownType();
  const bytes = Unknown.encode(Unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish();
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), bytes]);
}

describe("protobuf bodies", () => {
  it("decodes kubectl 1.32's create bodies into the JSON kubectl 1.20 sends for the same commands", () => {
    // Expected values: `kubectl create … --dry-run=client -o json` of Debian's kubectl 1.20.
    expect(decode(KUBECTL_132.namespace, "v1", "Namespace")).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "fixture", creationTimestamp: null },
      spec: {},
      status: {},
    });
    expect(decode(KUBECTL_132.deployment, "apps/v1", "Deployment")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "fixture", creationTimestamp: null, labels: { app: "web" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "registry.example/web:1.0.0", resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    expect(decode(KUBECTL_132.service, "v1", "Service")).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "fixture", creationTimestamp: null, labels: { app: "web" } },
      spec: {
        ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }],
        selector: { app: "web" },
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    });
  });

  it("keeps the zero of pointer fields and drops the zero of omitempty ones, as Go's JSON does", () => {
    // Go's protobuf encoder writes every non-pointer field, zero or not; built here the same way.
    const spec = messageTypeOf("apps/v1", "Deployment")?.lookupType("DeploymentSpec") as protobuf.Type;
    const raw = protobuf.Writer.create();
    const specBytes = spec
      .encode(spec.fromObject({ replicas: 0, minReadySeconds: 0, paused: false, revisionHistoryLimit: 0 }))
      .finish();
    raw.uint32((2 << 3) | 2).bytes(specBytes); // Deployment.spec = 2
    const decoded = decodeProtobufBody(envelope("apps/v1", "Deployment", raw.finish()), {
      apiVersion: "apps/v1",
      kind: "Deployment",
    });
    expect(decoded.spec).toEqual({ replicas: 0, revisionHistoryLimit: 0 });
  });

  it("round-trips a Deployment with the fields manifests use", () => {
    const deployment: JsonObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "checkout",
        namespace: "shop",
        uid: "0b6a8f7e-1111-4c3b-9f1e-2f6f0d6c9a01",
        resourceVersion: "42",
        generation: 3,
        creationTimestamp: "2026-01-02T03:04:05Z",
        labels: { app: "checkout", "app.kubernetes.io/part-of": "shop" },
        annotations: { "deployment.kubernetes.io/revision": "3", "kubernetes.io/change-cause": "" },
        ownerReferences: [
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            name: "owner",
            uid: "u-1",
            controller: false,
            blockOwnerDeletion: true,
          },
        ],
        finalizers: ["example.com/keep"],
      },
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: "checkout" },
          matchExpressions: [{ key: "track", operator: "In", values: ["stable", "canary"] }],
        },
        template: {
          metadata: {
            creationTimestamp: null,
            labels: { app: "checkout" },
            annotations: { "prometheus.io/scrape": "true" },
          },
          spec: {
            containers: [
              {
                name: "checkout",
                image: "registry.example/checkout:2.1.0",
                command: ["/bin/checkout"],
                args: ["--port=8080", ""],
                ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                env: [
                  { name: "MODE", value: "live" },
                  { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
                  { name: "TOKEN", valueFrom: { secretKeyRef: { name: "tokens", key: "checkout", optional: true } } },
                ],
                envFrom: [{ configMapRef: { name: "checkout-config" } }],
                resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
                readinessProbe: {
                  httpGet: { path: "/healthz", port: "http", scheme: "HTTP" },
                  periodSeconds: 5,
                  failureThreshold: 3,
                },
                livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 10 },
                startupProbe: { exec: { command: ["cat", "/tmp/ready"] } },
                lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
                volumeMounts: [{ name: "cache", mountPath: "/cache", readOnly: true }],
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 1000,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ["ALL"] },
                },
                terminationMessagePath: "/dev/termination-log",
                terminationMessagePolicy: "File",
                imagePullPolicy: "IfNotPresent",
              },
            ],
            volumes: [
              { name: "cache", emptyDir: { sizeLimit: "1Gi" } },
              {
                name: "config",
                configMap: { name: "checkout-config", defaultMode: 420, items: [{ key: "a", path: "a.conf" }] },
              },
            ],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 0,
            dnsPolicy: "ClusterFirst",
            nodeSelector: { "kubernetes.io/os": "linux" },
            serviceAccountName: "checkout",
            securityContext: { fsGroup: 2000 },
            imagePullSecrets: [{ name: "registry" }],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: {
                      labelSelector: { matchLabels: { app: "checkout" } },
                      topologyKey: "kubernetes.io/hostname",
                    },
                  },
                ],
              },
            },
            tolerations: [
              { key: "dedicated", operator: "Equal", value: "shop", effect: "NoSchedule", tolerationSeconds: 30 },
            ],
            schedulerName: "default-scheduler",
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
        minReadySeconds: 5,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 3,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        conditions: [
          {
            type: "Available",
            status: "True",
            lastUpdateTime: "2026-01-02T03:04:06Z",
            lastTransitionTime: "2026-01-02T03:04:06Z",
            reason: "MinimumReplicasAvailable",
            message: "Deployment has minimum availability.",
          },
        ],
      },
    };
    expect(roundTrip(deployment)).toEqual(deployment);
  });

  it("round-trips Pods, Services, Ingresses, Endpoints, Namespaces, lists and Status", () => {
    const objects: JsonObject[] = [
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "web-1",
          namespace: "shop",
          creationTimestamp: "2026-01-02T03:04:05Z",
          deletionTimestamp: "2026-01-02T03:05:05Z",
          deletionGracePeriodSeconds: 0,
        },
        spec: {
          containers: [{ name: "web", image: "web:1", resources: {} }],
          nodeName: "sandbox-node",
          priority: 0,
          enableServiceLinks: true,
        },
        status: {
          phase: "Running",
          conditions: [
            { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2026-01-02T03:04:06Z" },
          ],
          hostIP: "127.0.0.1",
          podIP: "10.244.0.7",
          podIPs: [{ ip: "10.244.0.7" }],
          startTime: "2026-01-02T03:04:05Z",
          containerStatuses: [
            {
              name: "web",
              state: { running: { startedAt: "2026-01-02T03:04:06Z" } },
              lastState: {},
              ready: true,
              restartCount: 0,
              image: "web:1",
              imageID: "",
              started: true,
            },
          ],
          qosClass: "BestEffort",
        },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "shop", creationTimestamp: "2026-01-02T03:04:05Z" },
        spec: {
          ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: "http", nodePort: 30080 }],
          selector: { app: "web" },
          clusterIP: "10.96.1.2",
          clusterIPs: ["10.96.1.2"],
          type: "NodePort",
          sessionAffinity: "None",
          externalTrafficPolicy: "Cluster",
          ipFamilies: ["IPv4"],
          ipFamilyPolicy: "SingleStack",
        },
        status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } },
      },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
          name: "search",
          namespace: "shop",
          generation: 1,
          creationTimestamp: "2026-01-02T03:04:05Z",
          annotations: { "nginx.ingress.kubernetes.io/canary": "true" },
        },
        spec: {
          ingressClassName: "nginx",
          tls: [{ hosts: ["search.example"], secretName: "tls" }],
          rules: [
            {
              host: "search.example",
              http: {
                paths: [
                  { path: "/", pathType: "Prefix", backend: { service: { name: "search", port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
        status: { loadBalancer: {} },
      },
      {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name: "web", namespace: "shop", creationTimestamp: "2026-01-02T03:04:05Z" },
        subsets: [
          {
            addresses: [
              {
                ip: "10.244.0.7",
                nodeName: "sandbox-node",
                targetRef: { kind: "Pod", namespace: "shop", name: "web-1", uid: "u-2" },
              },
            ],
            notReadyAddresses: [{ ip: "10.244.0.8" }],
            ports: [{ name: "http", port: 8080, protocol: "TCP" }],
          },
        ],
      },
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "shop", creationTimestamp: "2026-01-02T03:04:05Z" },
        spec: { finalizers: ["kubernetes"] },
        status: { phase: "Active" },
      },
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSetList",
        metadata: { resourceVersion: "77" },
        items: [
          {
            metadata: {
              name: "web-5d8",
              namespace: "shop",
              ownerReferences: [
                {
                  apiVersion: "apps/v1",
                  kind: "Deployment",
                  name: "web",
                  uid: "u-3",
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: { replicas: 0, selector: { matchLabels: { app: "web" } } },
            status: { replicas: 0, observedGeneration: 2 },
          },
        ],
      },
      {
        apiVersion: "v1",
        kind: "Status",
        metadata: {},
        status: "Failure",
        message:
          'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        reason: "Invalid",
        details: {
          name: "web",
          group: "apps",
          kind: "Deployment",
          causes: [{ reason: "FieldValueInvalid", message: "Invalid value: -1", field: "spec.replicas" }],
        },
        code: 422,
      },
      {
        apiVersion: "v1",
        kind: "DeleteOptions",
        propagationPolicy: "Orphan",
        dryRun: ["All"],
        preconditions: { resourceVersion: "5" },
        gracePeriodSeconds: 0,
      },
    ];
    for (const obj of objects) expect(roundTrip(obj)).toEqual(obj);
  });

  it("converts Time, MicroTime, IntOrString and Quantity as Kubernetes' JSON does", () => {
    const ObjectMeta = messageTypeOf("v1", "Pod")?.root.lookupType(
      "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    ) as protobuf.Type;
    // seconds + nanos: Time has second precision in JSON (and Kubernetes drops nanos too).
    const meta = ObjectMeta.encode(
      ObjectMeta.fromObject({ name: "t", creationTimestamp: { seconds: 1767323045, nanos: 500_000_000 } }),
    ).finish();
    const raw = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(meta)
      .finish();
    const pod = decodeProtobufBody(envelope("v1", "Pod", raw), { apiVersion: "v1", kind: "Pod" });
    expect(pod.metadata).toEqual({ name: "t", creationTimestamp: "2026-01-02T03:04:05Z" });

    const service = roundTrip({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 81, targetPort: "metrics" },
        ],
      },
    });
    expect(service.spec).toEqual({
      ports: [
        { port: 80, targetPort: 8080 },
        { port: 81, targetPort: "metrics" },
      ],
    });

    // A quantity sent as a bare JSON number comes back as Kubernetes writes it: a string.
    const withNumber = roundTrip({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "q" },
      spec: { containers: [{ name: "c", image: "i", resources: { limits: { cpu: 1 } } }] },
    }) as { spec: { containers: { resources: unknown }[] } };
    expect(withNumber.spec.containers[0].resources).toEqual({ limits: { cpu: "1" } });
  });

  it("answers 400 for what is not a protobuf object, for another version, and a kind it does not know", () => {
    const expected = { apiVersion: "apps/v1", kind: "Deployment" };
    const noMagic = thrown(() => decodeProtobufBody(Buffer.from('{"kind":"Deployment"}'), expected));
    expect(noMagic.code).toBe(400);
    expect(noMagic.toStatus()).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
    expect(noMagic.message).toContain("expected prefix [107 56 115 0]");

    const truncated = thrown(() =>
      decodeProtobufBody(Buffer.from(KUBECTL_132.deployment, "base64").subarray(0, 40), expected),
    );
    expect(truncated.code).toBe(400);

    const configMap = thrown(() =>
      decodeProtobufBody(envelope("v1", "ConfigMap", new Uint8Array()), { apiVersion: "v1", kind: "Pod" }),
    );
    expect(configMap.code).toBe(400);
    expect(configMap.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a Pod: no kind "ConfigMap" is registered for version "v1" in the sandbox',
    );

    const oldVersion = thrown(() =>
      decodeProtobufBody(envelope("extensions/v1beta1", "Deployment", new Uint8Array()), expected),
    );
    expect(oldVersion.code).toBe(400);
    expect(oldVersion.message).toBe(
      "the API version in the data (extensions/v1beta1) does not match the expected API version (apps/v1)",
    );

    const garbage = thrown(() =>
      decodeProtobufBody(envelope("apps/v1", "Deployment", Buffer.from([0x0a, 0xff, 0xff, 0xff])), expected),
    );
    expect(garbage.code).toBe(400);
    expect(garbage.message).toMatch(/^Deployment in version "v1" cannot be handled as a Deployment: /);
  });

  it("answers 415 for a kind served at the endpoint but without a protobuf schema here", () => {
    const scale = thrown(() =>
      decodeProtobufBody(envelope("autoscaling/v1", "Scale", new Uint8Array()), {
        apiVersion: "autoscaling/v1",
        kind: "Scale",
      }),
    );
    expect(scale.code).toBe(415);
    expect(scale.toStatus()).toMatchObject({ reason: "UnsupportedMediaType", code: 415 });
  });

  it("takes the kind from the endpoint when the envelope leaves it out", () => {
    const Unknown = unknownType();
    const bare = Buffer.concat([
      Buffer.from("k8s\0", "latin1"),
      Unknown.encode(Unknown.fromObject({ raw: new Uint8Array() })).finish(),
    ]);
    expect(decodeProtobufBody(bare, { apiVersion: "v1", kind: "Namespace" })).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
    });
  });

  it("has no protobuf form for tables, Scale or discovery documents", () => {
    expect(encodeProtobufBody({ apiVersion: "meta.k8s.io/v1", kind: "Table", rows: [] })).toBeUndefined();
    expect(encodeProtobufBody({ apiVersion: "autoscaling/v1", kind: "Scale" })).toBeUndefined();
    expect(encodeProtobufBody({ kind: "APIResourceList", apiVersion: "v1" })).toBeUndefined();
    expect(encodeProtobufBody({ kind: "Deployment" })).toBeUndefined();
  });

  it("reads content types and Accept headers like kube-apiserver", () => {
    expect(isProtobuf("application/vnd.kubernetes.protobuf")).toBe(true);
    expect(isProtobuf("application/vnd.kubernetes.protobuf; charset=binary")).toBe(true);
    expect(isProtobuf("application/json")).toBe(false);
    expect(isProtobuf(undefined)).toBe(false);
    expect(acceptsOnlyProtobuf("application/vnd.kubernetes.protobuf")).toBe(true);
    expect(acceptsOnlyProtobuf("application/vnd.kubernetes.protobuf;stream=watch")).toBe(true);
    expect(acceptsOnlyProtobuf("application/vnd.kubernetes.protobuf,application/json")).toBe(false);
    expect(acceptsOnlyProtobuf("application/vnd.kubernetes.protobuf, */*")).toBe(false);
    expect(acceptsOnlyProtobuf("application/json")).toBe(false);
    expect(acceptsOnlyProtobuf(undefined)).toBe(false);
  });
});
