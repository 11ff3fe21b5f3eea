/**
 * The Kubernetes manifests (deploy/kubernetes): rendered with kubectl 1.32's kustomize and with
 * Debian's kubectl 1.20, checked for what an installation relies on, applied with server-side dry
 * run to the real API server from ../shared/k8s-test-cluster (images cannot be pulled here, so
 * nothing runs), and the engine's Role checked verb by verb with `kubectl auth can-i --as` the
 * ServiceAccount: every call lib/k8s/gateway.ts makes is allowed, nothing else is.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { loadAllYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const DIR = path.join(ROOT, "deploy/kubernetes");
const PERMISSIONS = JSON.parse(fs.readFileSync(path.join(DIR, "engine-permissions.json"), "utf8")) as {
  operations: Record<string, Rule>;
  extra: Rule[];
  denied: Rule[];
};
interface Rule {
  group: string;
  resource: string;
  verb: string;
}
const ruleKey = (r: Rule) => `${r.group}/${r.resource}/${r.verb}`;
const ALLOWED = [...Object.values(PERMISSIONS.operations), ...PERMISSIONS.extra];

type Obj = {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  subjects?: { kind: string; name: string; namespace?: string }[];
};

// Both kinds of kubectl users have: the machine image's 1.32 and Debian's 1.20
// (scripts/ensure-system-packages.sh unpacks it into .data/tools where /usr/bin/kubectl is taken).
const KUBECTLS = [
  ["1.32", "/usr/bin/kubectl"],
  ["1.20", path.join(ROOT, ".data/tools/kubernetes-client/usr/bin/kubectl")],
].filter(([, bin]) => fs.existsSync(bin));
const kubeconfig = process.env.K8S_TEST_KUBECONFIG;
if (process.env.CI === "true" && KUBECTLS.length < 2) throw new Error("both kubectl 1.32 and Debian's 1.20 are needed");
if (process.env.REQUIRE_REAL_CLUSTER === "1" && !kubeconfig)
  throw new Error("REQUIRE_REAL_CLUSTER=1 but K8S_TEST_KUBECONFIG is not set");

async function renderText(kubectl: string, dir: string): Promise<string> {
  return (await run(kubectl, ["kustomize", path.join(DIR, dir)], { maxBuffer: 8 << 20 })).stdout;
}
async function render(kubectl: string, dir: string): Promise<Obj[]> {
  return loadAllYaml(await renderText(kubectl, dir)) as Obj[];
}

const byKind = (objects: Obj[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));

type Container = {
  image: string;
  securityContext: Record<string, unknown>;
  readinessProbe?: { httpGet: { path: string } };
  livenessProbe?: { httpGet: { path: string } };
  resources?: { requests?: Record<string, string> };
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
};
const podSpec = (o: Obj) =>
  (o.spec as { template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } }).template
    .spec;
const workloads = (objects: Obj[]) => [...byKind(objects, "Deployment"), ...byKind(objects, "Job")];

/** The (group, resource, verb) triples a rendered Role grants. */
const granted = (role: Obj) =>
  (role.rules ?? []).flatMap((r) =>
    r.apiGroups.flatMap((group) =>
      r.resources.flatMap((resource) => r.verbs.map((verb) => ruleKey({ group, resource, verb }))),
    ),
  );

describe.each(KUBECTLS)("rendered with kubectl %s", (_, kubectl) => {
  let base: Obj[];
  let production: Obj[];
  beforeAll(async () => {
    [base, production] = await Promise.all([render(kubectl, "base"), render(kubectl, "overlays/production")]);
  });

  it("has a namespace-agnostic base with 2+ web and worker replicas, probes and PDBs", () => {
    for (const o of base) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBeUndefined();
    expect(byKind(base, "Namespace")).toEqual([]);
    const web = byKind(base, "Deployment", "greenlight-web")[0];
    const worker = byKind(base, "Deployment", "greenlight-worker")[0];
    expect(web.spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.spec?.replicas).toBeGreaterThanOrEqual(2);
    const container = podSpec(web).containers[0];
    expect(container.readinessProbe?.httpGet.path).toBe("/api/ready");
    expect(container.livenessProbe?.httpGet.path).toBe("/api/health");
    // The runtime sets HOSTNAME to the pod's name; Next's standalone server would listen only there.
    expect(container.env).toContainEqual({ name: "HOSTNAME", value: "0.0.0.0" });
    expect(podSpec(worker).containers[0].ports).toContainEqual(expect.objectContaining({ name: "metrics" }));
    for (const pdb of byKind(base, "PodDisruptionBudget")) {
      expect(pdb.apiVersion).toBe("policy/v1");
      expect(pdb.spec?.minAvailable).toBe(1);
    }
    expect(
      byKind(base, "PodDisruptionBudget")
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(["greenlight-web", "greenlight-worker"]);
  });

  it("has the web (3 replicas) and worker (2+) the production overlay promises, and an Ingress with TLS", () => {
    const web = byKind(production, "Deployment", "greenlight-web")[0];
    const worker = byKind(production, "Deployment", "greenlight-worker")[0];
    expect(web.spec?.replicas).toBe(3);
    expect(worker.spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(podSpec(web).containers[0].readinessProbe?.httpGet.path).toBe("/api/ready");
    expect(byKind(production, "PodDisruptionBudget")).toHaveLength(2);
    expect(byKind(production, "Job", "greenlight-migrate")).toHaveLength(1);
    const [ingress] = byKind(production, "Ingress");
    expect((ingress.spec as { tls: unknown[] }).tls).toHaveLength(1);
  });

  it("runs every container non-root, read-only, without privileges, with requests, on a pinned image", () => {
    for (const o of workloads(production)) {
      const spec = podSpec(o);
      expect(spec.securityContext, o.metadata.name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      for (const c of spec.containers) {
        expect(c.securityContext, o.metadata.name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.resources?.requests?.cpu, o.metadata.name).toBeTruthy();
        expect(c.image).toBe("registry.example.com/platform/greenlight:0.1.0");
        expect(c.image).not.toMatch(/:latest$/);
      }
    }
  });

  it("takes secrets only by reference, and migrates as the owning role", () => {
    expect(byKind(production, "Secret")).toEqual([]);
    const secretNames = [
      "DATABASE_URL",
      "AUTH_SECRET",
      "METRICS_TOKEN",
      "ALERTMANAGER_TOKEN",
      "SLACK_WEBHOOK_URL",
      "OIDC_CLIENT_SECRET",
      "PROMETHEUS_BEARER_TOKEN",
      "PROMETHEUS_PASSWORD",
    ];
    const web = podSpec(byKind(production, "Deployment", "greenlight-web")[0]).containers[0];
    for (const name of secretNames)
      expect(web.env?.find((e) => e.name === name)?.valueFrom, name).toMatchObject({ secretKeyRef: { key: name } });
    for (const o of workloads(production))
      for (const c of podSpec(o).containers)
        for (const e of c.env ?? [])
          if (secretNames.includes(e.name)) expect(e.value, `${o.metadata.name} ${e.name}`).toBeUndefined();
    for (const cm of byKind(production, "ConfigMap"))
      for (const key of Object.keys(cm.data ?? {})) expect(secretNames).not.toContain(key);
    const migrate = podSpec(byKind(production, "Job")[0]).containers[0];
    expect(migrate.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom).toEqual({
      secretKeyRef: { name: "greenlight-db-owner", key: "DATABASE_URL" },
    });
    for (const o of byKind(production, "Deployment"))
      expect(JSON.stringify(podSpec(o).containers), o.metadata.name).not.toContain("greenlight-db-owner");
  });

  it("puts Greenlight in its namespace and the engine's Role, granting exactly the engine's verbs, in the target namespace", () => {
    for (const o of production.filter((o) => o.kind !== "Namespace"))
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(
        o.kind === "Role" || o.kind === "RoleBinding" ? "shop" : "greenlight",
      );
    const [binding] = byKind(production, "RoleBinding");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "greenlight", namespace: "greenlight" }]);
    const [role] = byKind(production, "Role");
    expect(new Set(granted(role))).toEqual(new Set(ALLOWED.map(ruleKey)));
    expect(byKind(production, "ClusterRole")).toEqual([]);
  });
});

/**
 * The operations lib/k8s/gateway.ts names in its `this.call(...)`: every request it makes to a
 * cluster goes through `call`. A first argument this does not understand fails the test, so a
 * new kind of call cannot slip past the Role unlisted.
 */
function gatewayCalls(source: string) {
  const operations = new Set<string>();
  const watched: string[] = [];
  const unknown: string[] = [];
  for (const [, arg] of source.matchAll(/this\.call\(\s*([^,]+),/g)) {
    const literal = /^"(\w+)"$/.exec(arg.trim());
    if (literal) operations.add(literal[1]);
    else if (arg.trim() === '`proxy${kind === "pods" ? "Pod" : "Service"}`')
      operations.add("proxyPod").add("proxyService");
    else if (arg.trim() === "`informerList:${kind}`") {
      // A list-then-watch cache of each WatchedKind: list and watch of that resource.
      const union = /export type WatchedKind =([^;]+);/.exec(source)?.[1] ?? "";
      watched.push(...[...union.matchAll(/"(\w+)"/g)].map((m) => m[1]));
      if (watched.length === 0) unknown.push(arg.trim());
    } else unknown.push(arg.trim());
  }
  return { operations, watched, unknown };
}

describe("the engine's permissions", () => {
  it("name every call the gateway makes to a cluster", () => {
    const { operations, watched, unknown } = gatewayCalls(
      fs.readFileSync(path.join(ROOT, "lib/k8s/gateway.ts"), "utf8"),
    );
    expect(unknown, "gateway calls whose operation this test cannot read").toEqual([]);
    expect(operations.size).toBeGreaterThan(8);
    expect([...operations].sort()).toEqual(Object.keys(PERMISSIONS.operations).sort());
    const allowed = new Set(ALLOWED.map((r) => `${r.resource}/${r.verb}`));
    for (const kind of watched)
      for (const verb of ["list", "watch"])
        expect(allowed, `the watch cache of ${kind} needs ${verb}`).toContain(`${kind}/${verb}`);
    const denied = new Set(PERMISSIONS.denied.map(ruleKey));
    for (const rule of ALLOWED)
      expect(denied, `${ruleKey(rule)} is both allowed and denied`).not.toContain(ruleKey(rule));
  });
});

describe.runIf(kubeconfig)("on the real API server", () => {
  const kubectlAt = (bin: string, args: string[], input?: string) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = execFile(bin, ["--kubeconfig", kubeconfig!, ...args], { maxBuffer: 8 << 20 }, (error, out, err) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err }),
      );
      child.stdin?.end(input ?? "");
    });
  const kubectl = async (...args: string[]) => {
    const result = await kubectlAt("/usr/bin/kubectl", args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.err}`);
    return result.out;
  };

  // Namespaces of this run only: the API server is shared by every test (and by several
  // checkouts), and a namespace deleted by a previous run may still be terminating.
  const suffix = randomBytes(3).toString("hex");
  const APP_NS = `greenlight-${suffix}`;
  const TARGET_NS = `shop-${suffix}`;
  const SA = `system:serviceaccount:${APP_NS}:greenlight`;
  let servesPolicyV1 = true;

  /** The overlay's objects moved to this run's namespaces, in what this API server serves. */
  const relocate = (objects: Obj[]) =>
    objects.map((o) => {
      const moved = structuredClone(o);
      const rename = (ns: string | undefined) => (ns === "greenlight" ? APP_NS : ns === "shop" ? TARGET_NS : ns);
      if (moved.kind === "Namespace") moved.metadata.name = rename(moved.metadata.name)!;
      else moved.metadata.namespace = rename(moved.metadata.namespace);
      for (const s of moved.subjects ?? []) s.namespace = rename(s.namespace);
      // The test server is 1.20, before policy/v1; a PDB's minAvailable and selector are the same in v1beta1.
      if (moved.kind === "PodDisruptionBudget" && !servesPolicyV1) moved.apiVersion = "policy/v1beta1";
      return moved;
    });
  const stream = (objects: Obj[]) => objects.map((o) => JSON.stringify(o)).join("\n");

  beforeAll(async () => {
    servesPolicyV1 = (await kubectl("api-versions")).split("\n").includes("policy/v1");
    // A dry run of a namespaced object needs its namespace to exist.
    await kubectl("create", "namespace", APP_NS);
    await kubectl("create", "namespace", TARGET_NS);
  }, 60_000);
  afterAll(async () => {
    await kubectlAt("/usr/bin/kubectl", ["delete", "namespace", APP_NS, TARGET_NS, "--wait=false"]);
  });

  it.each(KUBECTLS)(
    "accepts every object with server-side dry run (kubectl %s)",
    async (_, bin) => {
      const objects = relocate(await render(bin, "overlays/production"));
      const { code, out, err } = await kubectlAt(
        bin,
        ["apply", "--server-side", "--dry-run=server", "-f", "-"],
        stream(objects),
      );
      expect(err.replace(/^Warning: .*$/gm, "").trim()).toBe("");
      expect(code).toBe(0);
      expect(out.match(/\(server dry run\)/g)?.length).toBe(objects.length);
    },
    60_000,
  );

  describe("with the ServiceAccount, Role and RoleBinding applied", () => {
    beforeAll(async () => {
      const rbac = relocate(await render("/usr/bin/kubectl", "overlays/production")).filter((o) =>
        ["ServiceAccount", "Role", "RoleBinding"].includes(o.kind),
      );
      expect(rbac).toHaveLength(3);
      const { code, err } = await kubectlAt("/usr/bin/kubectl", ["apply", "-f", "-"], stream(rbac));
      expect(err).toBe("");
      expect(code).toBe(0);
    }, 60_000);

    const canI = async (rule: Rule, namespace = TARGET_NS) => {
      const [resource, subresource] = rule.resource.split("/");
      const qualified = rule.group ? `${resource}.${rule.group}` : resource;
      const args = ["auth", "can-i", rule.verb, qualified, "-n", namespace, "--as", SA];
      if (subresource) args.push(`--subresource=${subresource}`);
      const { code, out, err } = await kubectlAt("/usr/bin/kubectl", args);
      if (out.trim() === "yes" && code === 0) return true;
      if (out.trim() === "no") return false;
      throw new Error(`kubectl ${args.join(" ")}: ${code} ${out} ${err}`);
    };
    /** can-i for each rule, a few kubectl processes at a time. */
    const answers = async (rules: Rule[], namespace?: string) => {
      const result: boolean[] = [];
      for (let i = 0; i < rules.length; i += 6)
        result.push(...(await Promise.all(rules.slice(i, i + 6).map((r) => canI(r, namespace)))));
      return result;
    };
    const describeRule = (r: Rule) => `${r.verb} ${r.group ? `${r.group}/` : ""}${r.resource}`;

    it("allows each call the engine makes, in the target namespace", async () => {
      const said = await answers(ALLOWED);
      expect(ALLOWED.filter((_, i) => !said[i]).map(describeRule)).toEqual([]);
    }, 60_000);

    /** What `kubectl auth can-i --list` says the ServiceAccount may do to resources in a namespace. */
    const everything = async (namespace: string) => {
      const { code, out, err } = await kubectlAt("/usr/bin/kubectl", [
        "auth",
        "can-i",
        "--list",
        "--no-headers",
        "-n",
        namespace,
        "--as",
        SA,
      ]);
      expect(err).toBe("");
      expect(code).toBe(0);
      return (
        out
          .split("\n")
          .map((line) => /^(\S+)\s+\[\]\s+\[\]\s+\[([^\]]*)\]$/.exec(line.trim()))
          .filter((m) => m !== null)
          // What every authenticated client may do (ask the API server what it may do).
          .filter((m) => !/^selfsubject\w+reviews\.authorization\.k8s\.io$/.test(m[1]))
          .flatMap((m) => m[2].split(" ").map((verb) => `${m[1]} ${verb}`))
          .sort()
      );
    };
    const asListed = (r: Rule) => {
      const [resource, sub] = r.resource.split("/");
      return `${resource}${r.group ? `.${r.group}` : ""}${sub ? `/${sub}` : ""} ${r.verb}`;
    };

    it("allows nothing more: no deletes, no secrets, no exec, nothing cluster-wide, nothing in another namespace", async () => {
      const said = await answers(PERMISSIONS.denied);
      expect(PERMISSIONS.denied.filter((_, i) => said[i]).map(describeRule)).toEqual([]);
      // The API server's own list: exactly the engine's rules in the target namespace, nothing
      // elsewhere, not even in Greenlight's own namespace (the engine cannot change Greenlight).
      expect(await everything(TARGET_NS)).toEqual(ALLOWED.map(asListed).sort());
      expect(await everything("default")).toEqual([]);
      expect(await everything(APP_NS)).toEqual([]);
    }, 60_000);
  });
});
