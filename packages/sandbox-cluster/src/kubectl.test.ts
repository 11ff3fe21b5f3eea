/**
 * The sandbox checked by clients nobody here wrote: every kubectl on the machine, because they
 * speak differently. Debian's kubectl 1.20 (package kubernetes-client) sends JSON; kubectl 1.30
 * and later send create bodies as protobuf. Looked up: $SANDBOX_KUBECTL, the Debian package
 * unpacked in .data/tools (`apt-get download kubernetes-client && dpkg-deb -x …
 * .data/tools/kubernetes-client`, for machines where another package owns /usr/bin/kubectl,
 * as scripts/ensure-system-packages.sh does), and /usr/bin/kubectl.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./index";
import {
  apiError,
  clientsFor,
  deploymentBody,
  sleep,
  startTestSandbox,
  waitForRollout,
  type Clients,
} from "./test-support";

const run = promisify(execFile);
// The workspace root, where scripts/ensure-system-packages.sh unpacks Debian's kubectl 1.20.
const root = path.resolve(import.meta.dirname, "../../..");
const candidates = [
  process.env.SANDBOX_KUBECTL,
  path.join(root, ".data/tools/kubernetes-client/usr/bin/kubectl"),
  "/usr/bin/kubectl",
].filter((p): p is string => !!p && existsSync(p));
// One entry per binary: /usr/bin/kubectl may be the Debian package itself.
const kubectls = [...new Map(candidates.map((p) => [realpathSync(p), p])).values()];
if (kubectls.length === 0)
  console.warn(
    "[sandbox] kubectl tests skipped: no kubectl (install Debian's: apt-get install -y --no-install-recommends kubernetes-client)",
  );

let sandbox: Sandbox;
let c: Clients;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "sandbox-kubectl-home-"));
  sandbox = await startTestSandbox();
  c = clientsFor(sandbox);
});

afterAll(async () => {
  await sandbox?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** kubectl's minor version (32 for "32+"), from `kubectl version --client -o json`. */
async function minorVersion(kubectl: string): Promise<number> {
  const { stdout } = await run(kubectl, ["version", "--client", "-o", "json"], { env: { ...process.env, HOME: home } });
  const info = JSON.parse(stdout) as { clientVersion: { minor: string; gitVersion: string } };
  return Number.parseInt(info.clientVersion.minor, 10);
}

describe.each(kubectls)("kubectl %s", (kubectl) => {
  let ns: string;
  let minor: number;

  /** Runs kubectl in the test namespace. Async on purpose: the sandbox serves from this very process. */
  async function k(...args: string[]): Promise<string> {
    return (await kWithLog(...args)).stdout;
  }

  async function kWithLog(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(kubectl, ["-n", ns, ...args], {
      env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath, HOME: home },
      timeout: 30_000,
    });
  }

  beforeAll(async () => {
    minor = await minorVersion(kubectl);
    console.info(`[sandbox] ${kubectl}: kubectl 1.${minor}`);
    ns = `kubectl-1-${minor}`;
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentBody("kweb", "registry.example/kweb:1.0.0", 2),
    });
    await waitForRollout(c.kc, ns, "kweb");
  });

  it("gets, patches, sets the image, follows the rollout and undoes it", async () => {
    const table = await k("get", "deploy");
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table).toMatch(/kweb\s+2\/2\s+2\s+2\s+/);

    expect(await k("patch", "deploy", "kweb", "-p", '{"metadata":{"labels":{"patched":"yes"}}}')).toContain(
      "deployment.apps/kweb patched",
    );
    expect(await k("set", "image", "deploy/kweb", "kweb=registry.example/kweb:2.0.0")).toContain("image updated");
    expect(await k("rollout", "status", "deploy/kweb", "--timeout=20s")).toContain(
      'deployment "kweb" successfully rolled out',
    );

    const updated = await c.apps.readNamespacedDeployment({ name: "kweb", namespace: ns });
    expect(updated.metadata?.labels?.patched).toBe("yes");
    expect(updated.spec?.template?.spec?.containers[0].image).toBe("registry.example/kweb:2.0.0");
    expect(updated.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");

    expect(await k("rollout", "undo", "deploy/kweb")).toContain("rolled back");
    expect(await k("rollout", "status", "deploy/kweb", "--timeout=20s")).toContain("successfully rolled out");

    const back = await c.apps.readNamespacedDeployment({ name: "kweb", namespace: ns });
    expect(back.spec?.template?.spec?.containers[0].image).toBe("registry.example/kweb:1.0.0");
    expect(back.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(back.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });

    const history = await k("rollout", "history", "deploy/kweb");
    expect(history).toMatch(/\n2\s+/);
    expect(history).toMatch(/\n3\s+/);
    const json = JSON.parse(await k("get", "rs", "-l", "app=kweb", "-o", "json")) as {
      items: { spec: { replicas: number } }[];
    };
    expect(json.items.map((rs) => rs.spec.replicas).sort()).toEqual([0, 2]);
  }, 20_000);

  it("creates a namespace", { timeout: 20_000 }, async () => {
    const name = `${ns}-created`;
    expect(await k("create", "namespace", name)).toContain(`namespace/${name} created`);
    const created = await c.core.readNamespace({ name });
    expect(created.status?.phase).toBe("Active");
  });

  it("creates a Deployment with --replicas=2 that rolls out (as protobuf from kubectl 1.30 on)", async () => {
    const { stdout, stderr } = await kWithLog(
      "create",
      "deployment",
      "web",
      "--image=registry.example/web:1.0.0",
      "--replicas=2",
      "-v=8",
    );
    expect(stdout).toContain("deployment.apps/web created");
    // Proves which path this kubectl took through the sandbox.
    const sentProtobuf = /Content-Type: application\/vnd\.kubernetes\.protobuf/.test(stderr);
    expect(sentProtobuf).toBe(minor >= 30);

    const rolled = await waitForRollout(c.kc, ns, "web");
    expect(rolled.spec?.replicas).toBe(2);
    expect(rolled.spec?.template.spec?.containers[0].image).toBe("registry.example/web:1.0.0");
    expect(rolled.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(await k("rollout", "status", "deploy/web", "--timeout=20s")).toContain(
      'deployment "web" successfully rolled out',
    );
  }, 20_000);

  it("dry-runs a create on the server: defaults applied, nothing left behind", { timeout: 20_000 }, async () => {
    const out = JSON.parse(
      await k(
        "create",
        "deployment",
        "dry",
        "--image=registry.example/dry:1.0.0",
        "--replicas=3",
        "--dry-run=server",
        "-o",
        "json",
      ),
    ) as {
      metadata: { uid?: string };
      spec: { replicas: number; strategy: { type?: string } };
    };
    // Server-side defaults and a uid: the server answered, not kubectl's client-side dry run.
    expect(out.metadata.uid).toBeTruthy();
    expect(out.spec).toMatchObject({ replicas: 3, strategy: { type: "RollingUpdate" } });

    await sleep(200); // long enough for controllers to have acted on a stored Deployment
    expect((await apiError(c.apps.readNamespacedDeployment({ name: "dry", namespace: ns }))).code).toBe(404);
    expect((await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=dry" })).items).toHaveLength(0);
    expect((await c.core.listNamespacedPod({ namespace: ns, labelSelector: "app=dry" })).items).toHaveLength(0);
  });

  it("creates a ClusterIP Service", { timeout: 20_000 }, async () => {
    expect(await k("create", "service", "clusterip", "web", "--tcp=80:8080")).toContain("service/web created");
    const service = await c.core.readNamespacedService({ name: "web", namespace: ns });
    expect(service.spec?.type).toBe("ClusterIP");
    expect(service.spec?.selector).toEqual({ app: "web" });
    expect(service.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(service.spec?.ports).toEqual([{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }]);
  });

  it("applies a manifest, then finds it unchanged", async () => {
    const manifest = path.join(home, `applied-1-${minor}.yaml`);
    writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
  labels: {app: applied}
spec:
  replicas: 2
  selector: {matchLabels: {app: applied}}
  template:
    metadata: {labels: {app: applied}}
    spec:
      containers:
        - name: applied
          image: registry.example/applied:1.0.0
          ports: [{containerPort: 8080}]
          env: [{name: MODE, value: live}]
          resources: {limits: {cpu: 500m, memory: 128Mi}}
          readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}
`,
    );
    expect(await k("apply", "-f", manifest)).toContain("deployment.apps/applied created");
    const rolled = await waitForRollout(c.kc, ns, "applied");
    const container = rolled.spec?.template.spec?.containers[0];
    expect(container?.resources?.limits).toEqual({ cpu: "500m", memory: "128Mi" });
    expect(container?.readinessProbe?.httpGet).toMatchObject({ path: "/healthz", port: 8080 });
    expect(await k("apply", "-f", manifest)).toContain("deployment.apps/applied unchanged");
  }, 20_000);
});
