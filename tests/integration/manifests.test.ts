/**
 * The Kubernetes manifests (deploy/kubernetes): rendered with kubectl 1.32's kustomize and with
 * Debian's kubectl 1.20, checked for what an installation relies on, applied with server-side dry
 * run to the real API server from ../shared/k8s-test-cluster (images cannot be pulled here, so
 * nothing runs), and the engine's Role checked verb by verb with `kubectl auth can-i --as` the
 * ServiceAccount: every call lib/k8s/gateway.ts makes is allowed, nothing else is.
 */
import { execFile } from "node:child_process";
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
type Obj = {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
};

// Both kinds of kubectl users have: the machine image's 1.32 and Debian's 1.20
// (scripts/ensure-system-packages.sh unpacks it into .data/tools where /usr/bin/kubectl is taken).
const KUBECTLS = [
  ["1.32", "/usr/bin/kubectl"],
  ["1.20", path.join(ROOT, ".data/tools/kubernetes-client/usr/bin/kubectl")],
].filter(([, bin]) => fs.existsSync(bin));
const kubeconfig = process.env.K8S_TEST_KUBECONFIG;
if (process.env.CI === "true" && KUBECTLS.length < 2) throw new Error("both kubectl 1.32 and Debian's 1.20 are needed");

async function render(kubectl: string, dir: string): Promise<Obj[]> {
  const { stdout } = await run(kubectl, ["kustomize", path.join(DIR, dir)], { maxBuffer: 8 << 20 });
  return loadAllYaml(stdout) as Obj[];
}

const byKind = (objects: Obj[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));

type Container = {
  image: string;
  securityContext: Record<string, unknown>;
  readinessProbe?: { httpGet: { path: string } };
  livenessProbe?: { httpGet: { path: string } };
  resources?: { requests?: Record<string, string> };
  env?: { name: string; value?: string; valueFrom?: unknown }[];
};
const podSpec = (o: Obj) =>
  (o.spec as { template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } }).template
    .spec;

describe.each(KUBECTLS)("rendered with kubectl %s", (_, kubectl) => {
  let production: Obj[];
  beforeAll(async () => {
    production = await render(kubectl, "overlays/production");
  });

  it("has the web (3 replicas, probes, PDB) and worker (2+) the production overlay promises", () => {
    const web = byKind(production, "Deployment", "greenlight-web")[0];
    const worker = byKind(production, "Deployment", "greenlight-worker")[0];
    expect(web.spec?.replicas).toBe(3);
    expect(worker.spec?.replicas).toBeGreaterThanOrEqual(2);
    const container = podSpec(web).containers[0];
    expect(container.readinessProbe?.httpGet.path).toBe("/api/ready");
    expect(container.livenessProbe?.httpGet.path).toBe("/api/health");
    expect(
      byKind(production, "PodDisruptionBudget")
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(["greenlight-web", "greenlight-worker"]);
    expect(byKind(production, "Job", "greenlight-migrate")).toHaveLength(1);
    expect(byKind(production, "Ingress")).toHaveLength(1);
  });

  it("runs every container non-root, read-only, without privileges, with requests, on a pinned image", () => {
    for (const o of [...byKind(production, "Deployment"), ...byKind(production, "Job")]) {
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
      }
    }
  });

  it("takes secrets only by reference, and migrates as the owning role", () => {
    const secretNames = ["DATABASE_URL", "AUTH_SECRET", "METRICS_TOKEN", "ALERTMANAGER_TOKEN", "OIDC_CLIENT_SECRET"];
    for (const o of [...byKind(production, "Deployment"), ...byKind(production, "Job")])
      for (const c of podSpec(o).containers)
        for (const e of c.env ?? [])
          if (secretNames.includes(e.name)) expect(e.value, `${o.metadata.name} ${e.name}`).toBeUndefined();
    for (const cm of byKind(production, "ConfigMap"))
      for (const key of Object.keys(cm.data ?? {})) expect(secretNames).not.toContain(key);
    const migrate = podSpec(byKind(production, "Job")[0]).containers[0];
    expect(JSON.stringify(migrate.env)).toContain('"name":"greenlight-db-owner"');
    expect(
      JSON.stringify(podSpec(byKind(production, "Deployment", "greenlight-web")[0]).containers[0].env),
    ).not.toContain("greenlight-db-owner");
  });

  it("puts Greenlight in its namespace and the engine's Role in the target namespace", () => {
    for (const o of production.filter((o) => o.kind !== "Namespace"))
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(
        o.kind === "Role" || o.kind === "RoleBinding" ? "shop" : "greenlight",
      );
    const binding = byKind(production, "RoleBinding")[0] as Obj & { subjects: { namespace: string }[] };
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "greenlight", namespace: "greenlight" }]);
  });
});

describe("the engine's permissions", () => {
  it("name every call the gateway makes to a cluster", () => {
    const source = fs.readFileSync(path.join(ROOT, "lib/k8s/gateway.ts"), "utf8");
    const operations = new Set([...source.matchAll(/this\.call\(\s*"(\w+)"/g)].map((m) => m[1]));
    if (source.includes('`proxy${kind === "pods" ? "Pod" : "Service"}`'))
      operations.add("proxyPod").add("proxyService");
    expect(operations.size).toBeGreaterThan(8);
    expect([...operations].sort()).toEqual(Object.keys(PERMISSIONS.operations).sort());
  });
});

describe.runIf(kubeconfig)("on the real API server", () => {
  const kubectl = (...args: string[]) =>
    run("/usr/bin/kubectl", ["--kubeconfig", kubeconfig!, ...args], { maxBuffer: 8 << 20 });
  const SA = "system:serviceaccount:greenlight:greenlight";

  beforeAll(async () => {
    // A dry run of a namespaced object needs its namespace to exist.
    for (const ns of ["greenlight", "shop"])
      await kubectl("create", "namespace", ns).catch((e: { stderr?: string }) => {
        if (!e.stderr?.includes("AlreadyExists")) throw e;
      });
  }, 60_000);
  afterAll(async () => {
    await kubectl("delete", "namespace", "greenlight", "shop", "--wait=false").catch(() => undefined);
  });

  it.each(KUBECTLS)(
    "accepts every object with server-side dry run (kubectl %s)",
    async (_, bin) => {
      const rendered = (await run(bin, ["kustomize", path.join(DIR, "overlays/production")], { maxBuffer: 8 << 20 }))
        .stdout;
      const child = execFile(bin, [
        "--kubeconfig",
        kubeconfig!,
        "apply",
        "--server-side",
        "--dry-run=server",
        "-f",
        "-",
      ]);
      let out = "";
      let err = "";
      child.stdout?.on("data", (d) => (out += d));
      child.stderr?.on("data", (d) => (err += d));
      child.stdin?.end(rendered);
      const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
      expect(err.replace(/^Warning: .*$/gm, "").trim()).toBe("");
      expect(code).toBe(0);
      expect(out.match(/\(server dry run\)/g)?.length).toBe(loadAllYaml(rendered).length);
    },
    60_000,
  );

  describe("with the ServiceAccount, Role and RoleBinding applied", () => {
    beforeAll(async () => {
      const rendered = (await run("/usr/bin/kubectl", ["kustomize", path.join(DIR, "overlays/production")])).stdout;
      const rbac = (loadAllYaml(rendered) as Obj[]).filter((o) =>
        ["ServiceAccount", "Role", "RoleBinding"].includes(o.kind),
      );
      const child = execFile("/usr/bin/kubectl", ["--kubeconfig", kubeconfig!, "apply", "-f", "-"]);
      child.stdin?.end(rbac.map((o) => JSON.stringify(o)).join("\n"));
      await new Promise((resolve) => child.on("exit", resolve));
    }, 60_000);

    const canI = async (rule: Rule, namespace = "shop") => {
      const [resource, subresource] = rule.resource.split("/");
      const qualified = rule.group ? `${resource}.${rule.group}` : resource;
      const args = ["auth", "can-i", rule.verb, qualified, "-n", namespace, "--as", SA];
      if (subresource) args.push(`--subresource=${subresource}`);
      return kubectl(...args).then(
        () => true,
        (e: { stdout?: string }) => (e.stdout?.trim() === "no" ? false : Promise.reject(e)),
      );
    };

    it("allows each call the engine makes, in the target namespace", async () => {
      for (const [operation, rule] of Object.entries(PERMISSIONS.operations))
        expect(await canI(rule), `${operation}: ${rule.verb} ${rule.resource}`).toBe(true);
      for (const rule of PERMISSIONS.extra) expect(await canI(rule), `${rule.verb} ${rule.resource}`).toBe(true);
    }, 60_000);

    it("allows nothing more: no deletes, no secrets, no exec, and nothing in another namespace", async () => {
      for (const rule of PERMISSIONS.denied) expect(await canI(rule), `${rule.verb} ${rule.resource}`).toBe(false);
      for (const rule of Object.values(PERMISSIONS.operations))
        expect(await canI(rule, "default"), `${rule.verb} ${rule.resource} in default`).toBe(false);
    }, 60_000);
  });
});
