/**
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which
 * `kubectl get` asks for; the columns are those of the real API server's printers.
 */
import type { ResourceType } from "./resources";
import { isObject, type JsonObject, type KubeObject, type Pod, type Service } from "./types";

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
  cell: (obj: KubeObject) => string | number;
}

/** duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

const name: Column = {
  name: "Name",
  type: "string",
  format: "name",
  description: "Name must be unique within a namespace.",
  priority: 0,
  cell: (o) => o.metadata.name,
};
const age: Column = {
  name: "Age",
  type: "string",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  priority: 0,
  cell: (o) => humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp)),
};

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const containers = (o: KubeObject): { name: string; image: string }[] => {
  const template = isObject(o.spec?.template) ? (o.spec?.template as JsonObject) : undefined;
  const spec = isObject(template?.spec) ? (template?.spec as JsonObject) : undefined;
  return Array.isArray(spec?.containers) ? (spec.containers as unknown as { name: string; image: string }[]) : [];
};
const selectorText = (o: KubeObject): string => {
  const sel = isObject(o.spec?.selector) ? (o.spec?.selector as JsonObject) : {};
  const labels = isObject(sel.matchLabels) ? (sel.matchLabels as Record<string, string>) : {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
};
const workloadWide: Column[] = [
  {
    name: "Containers",
    type: "string",
    description: "Names of each container in the template.",
    priority: 1,
    cell: (o) =>
      containers(o)
        .map((c) => c.name)
        .join(","),
  },
  {
    name: "Images",
    type: "string",
    description: "Images referenced by each container in the template.",
    priority: 1,
    cell: (o) =>
      containers(o)
        .map((c) => c.image)
        .join(","),
  },
  { name: "Selector", type: "string", description: "Label selector for pods.", priority: 1, cell: selectorText },
];

function podStatusReason(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  const waiting = (pod.status?.containerStatuses ?? [])
    .map((c) => (isObject(c.state) && isObject(c.state.waiting) ? String(c.state.waiting.reason ?? "") : ""))
    .find((r) => r);
  return waiting || String(pod.status?.phase ?? "Pending");
}

const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    name,
    {
      name: "Ready",
      type: "string",
      description: "Number of the pod with ready state",
      priority: 0,
      cell: (o) => `${num(o.status?.readyReplicas)}/${num(o.spec?.replicas)}`,
    },
    {
      name: "Up-to-date",
      type: "string",
      description:
        "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
      priority: 0,
      cell: (o) => num(o.status?.updatedReplicas),
    },
    {
      name: "Available",
      type: "string",
      description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
      priority: 0,
      cell: (o) => num(o.status?.availableReplicas),
    },
    age,
    ...workloadWide,
  ],
  ReplicaSet: [
    name,
    {
      name: "Desired",
      type: "integer",
      description: "Replicas is the number of desired replicas.",
      priority: 0,
      cell: (o) => num(o.spec?.replicas),
    },
    {
      name: "Current",
      type: "integer",
      description: "Replicas is the most recently oberved number of replicas.",
      priority: 0,
      cell: (o) => num(o.status?.replicas),
    },
    {
      name: "Ready",
      type: "integer",
      description: "The number of ready replicas for this replica set.",
      priority: 0,
      cell: (o) => num(o.status?.readyReplicas),
    },
    age,
    ...workloadWide,
  ],
  Pod: [
    name,
    {
      name: "Ready",
      type: "string",
      description: "The aggregate readiness state of this pod for accepting traffic.",
      priority: 0,
      cell: (o) => {
        const pod = o as unknown as Pod;
        const statuses = pod.status?.containerStatuses ?? [];
        return `${statuses.filter((c) => c.ready === true).length}/${pod.spec.containers.length}`;
      },
    },
    {
      name: "Status",
      type: "string",
      description: "The aggregate status of the containers in this pod.",
      priority: 0,
      cell: (o) => podStatusReason(o as unknown as Pod),
    },
    {
      name: "Restarts",
      type: "integer",
      description: "The number of times the containers in this pod have been restarted.",
      priority: 0,
      cell: (o) => ((o as unknown as Pod).status?.containerStatuses ?? []).reduce((s, c) => s + num(c.restartCount), 0),
    },
    age,
    {
      name: "IP",
      type: "string",
      description: "IP address allocated to the pod.",
      priority: 1,
      cell: (o) => String(o.status?.podIP ?? "<none>"),
    },
    {
      name: "Node",
      type: "string",
      description: "Name of the Node this pod is assigned to.",
      priority: 1,
      cell: (o) => String(o.spec?.nodeName ?? "<none>"),
    },
  ],
  Service: [
    name,
    {
      name: "Type",
      type: "string",
      description: "The type of the service.",
      priority: 0,
      cell: (o) => String((o as unknown as Service).spec.type ?? "ClusterIP"),
    },
    {
      name: "Cluster-IP",
      type: "string",
      description: "The IP address of the service.",
      priority: 0,
      cell: (o) => String((o as unknown as Service).spec.clusterIP ?? "<none>"),
    },
    {
      name: "External-IP",
      type: "string",
      description: "The external IP address of the service.",
      priority: 0,
      cell: () => "<none>",
    },
    {
      name: "Port(s)",
      type: "string",
      description: "The port(s) of the service.",
      priority: 0,
      cell: (o) =>
        ((o as unknown as Service).spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(",") ||
        "<none>",
    },
    age,
    {
      name: "Selector",
      type: "string",
      description: "The selector of the service.",
      priority: 1,
      cell: (o) =>
        Object.entries((o as unknown as Service).spec.selector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",") || "<none>",
    },
  ],
  Namespace: [
    name,
    {
      name: "Status",
      type: "string",
      description: "The status of the namespace",
      priority: 0,
      cell: (o) => String(o.status?.phase ?? "Active"),
    },
    age,
  ],
  Ingress: [
    name,
    {
      name: "Class",
      type: "string",
      description: "The name of the IngressClass resource that should be used.",
      priority: 0,
      cell: (o) => String(o.spec?.ingressClassName ?? "<none>"),
    },
    {
      name: "Hosts",
      type: "string",
      description: "Hosts that incoming requests are matched against.",
      priority: 0,
      cell: (o) =>
        Array.isArray(o.spec?.rules)
          ? (o.spec?.rules as JsonObject[]).map((r) => String(r.host ?? "*")).join(",")
          : "*",
    },
    {
      name: "Address",
      type: "string",
      description: "Address is a list containing ingress points for the load-balancer.",
      priority: 0,
      cell: () => "",
    },
    {
      name: "Ports",
      type: "string",
      description: "Ports of TLS configurations that open.",
      priority: 0,
      cell: () => "80",
    },
    age,
  ],
};

function columnsFor(type: ResourceType): Column[] {
  return COLUMNS[type.kind] ?? [name, age];
}

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /v=v1(?![a-z0-9])/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
): JsonObject {
  const columns = columnsFor(type);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description,
      priority: c.priority,
    })),
    rows: objects.map((o) => {
      const row: JsonObject = { cells: columns.map((c) => c.cell(o)) };
      if (includeObject === "Object") row.object = o as unknown as JsonObject;
      else if (includeObject !== "None")
        row.object = {
          kind: "PartialObjectMetadata",
          apiVersion: "meta.k8s.io/v1",
          metadata: o.metadata as unknown as JsonObject,
        };
      return row;
    }),
  };
}
