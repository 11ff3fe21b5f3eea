/**
 * The sandbox checked by a client nobody here wrote: Debian's kubectl (package
 * kubernetes-client, v1.20). Looked up as $SANDBOX_KUBECTL, then the package unpacked in
 * .data/tools (`apt-get download kubernetes-client && dpkg-deb -x … .data/tools/kubernetes-client`,
 * for machines where another package owns /usr/bin/kubectl), then /usr/bin/kubectl.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "./index";
import { clientsFor, deploymentBody, startTestSandbox, waitForRollout, type Clients } from "./test-support";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const candidates = [process.env.SANDBOX_KUBECTL, path.join(root, ".data/tools/kubernetes-client/usr/bin/kubectl"), "/usr/bin/kubectl"].filter(
  (p): p is string => !!p,
);
const kubectl = candidates.find((p) => existsSync(p));
if (!kubectl) console.warn("[sandbox] kubectl test skipped: no kubectl (install Debian's: apt-get install -y --no-install-recommends kubernetes-client)");

const ns = "kubectl-check";
let sandbox: Sandbox;
let c: Clients;
let home: string;

async function k(...args: string[]): Promise<string> {
  // Async on purpose: the sandbox serves from this very process.
  const { stdout } = await run(kubectl as string, ["-n", ns, ...args], {
    env: { ...process.env, KUBECONFIG: sandbox.kubeconfigPath, HOME: home },
    timeout: 30_000,
  });
  return stdout;
}

describe.skipIf(!kubectl)(`kubectl (${kubectl ?? "absent"})`, () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), "sandbox-kubectl-home-"));
    sandbox = await startTestSandbox();
    c = clientsFor(sandbox);
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deploymentBody("kweb", "registry.example/kweb:1.0.0", 2) });
    await waitForRollout(c.kc, ns, "kweb");
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("gets, patches, sets the image, follows the rollout and undoes it", async () => {
    const version = await k("version", "--client", "--short").catch(() => k("version", "--client"));
    console.info(`[sandbox] ${kubectl}: ${version.trim().split("\n")[0]}`);

    const table = await k("get", "deploy");
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(table).toMatch(/kweb\s+2\/2\s+2\s+2\s+/);

    expect(await k("patch", "deploy", "kweb", "-p", '{"metadata":{"labels":{"patched":"yes"}}}')).toContain("deployment.apps/kweb patched");
    expect(await k("set", "image", "deploy/kweb", "kweb=registry.example/kweb:2.0.0")).toContain("image updated");
    expect(await k("rollout", "status", "deploy/kweb", "--timeout=20s")).toContain('deployment "kweb" successfully rolled out');

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
    const json = JSON.parse(await k("get", "rs", "-l", "app=kweb", "-o", "json")) as { items: { spec: { replicas: number } }[] };
    expect(json.items.map((rs) => rs.spec.replicas).sort()).toEqual([0, 2]);
  }, 20_000);
});
