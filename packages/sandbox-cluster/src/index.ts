/**
 * The sandbox cluster: a local server that speaks enough of the Kubernetes REST API for
 * @kubernetes/client-node and kubectl, with controllers, demo pods that serve real HTTP and
 * Prometheus metrics, a load generator, fault injection and optional persistence.
 *
 *   const sandbox = await startSandbox({ port: 0 });
 *   const kc = sandbox.kubeConfig();           // or KUBECONFIG=sandbox.kubeconfigPath
 *   await sandbox.stop();
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { ApiCore } from "./api";
import { ControllerManager } from "./controller-manager";
import { Faults } from "./faults";
import { writeKubeconfig } from "./kubeconfig";
import { LoadGenerator, type LoadStats } from "./load-generator";
import { typeByKind } from "./resources";
import { SandboxServer, type RequestCounts } from "./server";
import { ApiError } from "./status";
import { Store } from "./store";
import { scrapeTargets, type HttpSdTarget } from "./targets";
import { createSelfSignedCertificate } from "./self-signed";
import { DemoWorkload } from "./workload";

export interface SandboxOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** JSON file the cluster state is persisted to (debounced) and reloaded from. */
  stateFile?: string;
  /** Controller resync period in ms (default 100). */
  tickMs?: number;
  /** Time for a pod to become Ready, ms: a fixed value or [min, max] (default [300, 800]). */
  readyDelayMs?: number | [number, number];
  /** Where to write the kubeconfig (default: a fresh temporary directory, removed on stop). */
  kubeconfigDir?: string;
  /** Bearer token clients must send (default: random per start). */
  token?: string;
  /** Load generator: on by default at 5 requests/s per Service; false turns it off. */
  loadGenerator?: boolean | { rps?: number; maxInFlight?: number };
}

export interface Sandbox {
  /** http://127.0.0.1:<port>: the API (token required) and the /sandbox/ demo endpoints, plain HTTP. */
  url: string;
  /** https://127.0.0.1:<port>: the same server over TLS, which the kubeconfig uses (kubectl sends tokens only over https). */
  apiUrl: string;
  port: number;
  token: string;
  kubeconfigPath: string;
  faults: Faults;
  api: ApiCore;
  load: LoadGenerator;
  /** A KubeConfig for @kubernetes/client-node pointing at this sandbox (context `sandbox`). */
  kubeConfig(): k8s.KubeConfig;
  /** Writes another copy of the kubeconfig into `dir` and returns its path. */
  writeKubeconfig(dir: string): string;
  /** Prometheus http_sd targets of the Ready demo pods (also GET /sandbox/targets). */
  targets(): HttpSdTarget[];
  /** API requests received so far, by verb (get, list, watch, patch, …); also GET /sandbox/requests. */
  requests(): RequestCounts;
  /** Ends the open watch streams (cleanly, or `abrupt`: connections cut); returns how many. */
  dropWatches(abrupt?: boolean): number;
  /** Flushes state to the state file now (it is also written, debounced, on every change). */
  save(): void;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const store = new Store(options.stateFile);
  store.load();
  const api = new ApiCore(store);
  for (const name of SYSTEM_NAMESPACES) {
    if (!api.find(typeByKind("Namespace"), undefined, name))
      api.create(typeByKind("Namespace"), undefined, { metadata: { name } });
  }

  const token = options.token ?? randomBytes(24).toString("hex");
  const faults = new Faults();
  const workload = new DemoWorkload();
  const delay = options.readyDelayMs ?? [300, 800];
  const controllers = new ControllerManager(api, workload, {
    tickMs: options.tickMs ?? 100,
    readyDelayMs: typeof delay === "number" ? [delay, delay] : delay,
  });
  const loadOptions = typeof options.loadGenerator === "object" ? options.loadGenerator : {};
  const load = new LoadGenerator(api, { rps: loadOptions.rps ?? 5, maxInFlight: loadOptions.maxInFlight ?? 64 });

  const server: SandboxServer = new SandboxServer(api, token, faults, {
    get(name) {
      switch (name) {
        case "targets":
          return scrapeTargets(api, (uid) => workload.isRunning(uid));
        case "faults":
          return faults.toJson();
        case "load":
          return load.getStats();
        case "requests":
          return { ...server.requests };
        default:
          throw new ApiError(404, "NotFound", `no sandbox endpoint ${name}`);
      }
    },
    post(name, body) {
      switch (name) {
        case "faults":
          faults.setFromJson(body);
          return faults.toJson();
        case "faults:delete":
          faults.clear();
          return faults.toJson();
        case "load": {
          const input = (typeof body === "object" && body !== null ? body : {}) as { rps?: unknown; enabled?: unknown };
          if (typeof input.rps === "number") load.setRate(input.rps);
          if (input.enabled === true) load.start();
          if (input.enabled === false) load.stop();
          return load.getStats() satisfies LoadStats;
        }
        default:
          throw new ApiError(404, "NotFound", `no sandbox endpoint ${name}`);
      }
    },
    podPort: (uid) => workload.portOf(uid),
  });

  const certificate = createSelfSignedCertificate();
  const port = await server.listen(options.port ?? 0, { key: certificate.keyPem, cert: certificate.certPem });
  const url = `http://127.0.0.1:${port}`;
  const apiUrl = `https://127.0.0.1:${port}`;
  const ownsKubeconfigDir = !options.kubeconfigDir;
  const kubeconfigDir = options.kubeconfigDir ?? mkdtempSync(path.join(tmpdir(), "greenlight-sandbox-"));
  const kubeconfigPath = writeKubeconfig(kubeconfigDir, apiUrl, token, certificate.certPem);

  controllers.start();
  if (options.loadGenerator !== false) load.start();

  let stopped = false;
  return {
    url,
    apiUrl,
    port,
    token,
    kubeconfigPath,
    faults,
    api,
    load,
    kubeConfig() {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    },
    writeKubeconfig: (dir) => writeKubeconfig(dir, apiUrl, token, certificate.certPem),
    targets: () => scrapeTargets(api, (uid) => workload.isRunning(uid)),
    requests: () => ({ ...server.requests }),
    dropWatches: (abrupt) => server.dropWatches(abrupt),
    save: () => store.saveNow(),
    async stop() {
      if (stopped) return;
      stopped = true;
      load.stop();
      controllers.stop();
      await server.close();
      await workload.stopAll();
      store.saveNow();
      if (ownsKubeconfigDir) rmSync(kubeconfigDir, { recursive: true, force: true });
    },
  };
}

export { seedDemoWorkload, demoImage, DEMO_NAMESPACES, DEMO_VERSIONS } from "./demo-seed";
export type { FaultConfig } from "./faults";
export type { HttpSdTarget } from "./targets";
export type { RequestCounts } from "./server";
export { SANDBOX_CONTEXT } from "./kubeconfig";
