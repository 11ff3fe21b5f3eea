/**
 * The kubeconfig the app and kubectl use to reach the sandbox: context `sandbox`, bearer
 * token, HTTPS on loopback with the sandbox's self-signed certificate as the CA. HTTPS
 * because kubectl sends no credentials to an http:// server (see self-signed.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const SANDBOX_CONTEXT = "sandbox";

export function kubeconfigYaml(server: string, token: string, caPem: string, namespace = "default"): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "preferences: {}",
    "clusters:",
    `- name: ${SANDBOX_CONTEXT}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString("base64")}`,
    "contexts:",
    `- name: ${SANDBOX_CONTEXT}`,
    "  context:",
    `    cluster: ${SANDBOX_CONTEXT}`,
    `    user: ${SANDBOX_CONTEXT}`,
    `    namespace: ${namespace}`,
    `current-context: ${SANDBOX_CONTEXT}`,
    "users:",
    `- name: ${SANDBOX_CONTEXT}`,
    "  user:",
    `    token: ${token}`,
    "",
  ].join("\n");
}

/** Writes `<dir>/kubeconfig` (mode 0600: it holds the token) and returns its path. */
export function writeKubeconfig(dir: string, server: string, token: string, caPem: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "kubeconfig");
  writeFileSync(file, kubeconfigYaml(server, token, caPem), { mode: 0o600 });
  return file;
}
