/**
 * Runs the sandbox's controllers. Like kube-controller-manager they react to changes
 * (every store event schedules a pass) and also resync on a timer, which is what moves
 * time-based state: pods becoming Ready, minReadySeconds, progress deadlines.
 */
import type { ApiCore } from "./api";
import { EndpointsController, GarbageCollector, NamespaceController } from "./cluster-controllers";
import { DeploymentController } from "./deployment-controller";
import { Kubelet, type KubeletOptions } from "./kubelet";
import { ReplicaSetController } from "./replicaset-controller";
import type { DemoWorkload } from "./workload";

export interface ControllerManagerOptions extends KubeletOptions {
  /** Resync period of every controller. */
  tickMs: number;
}

export class ControllerManager {
  private readonly deployments: DeploymentController;
  private readonly replicaSets: ReplicaSetController;
  private readonly kubelet: Kubelet;
  private readonly endpoints: EndpointsController;
  private readonly garbage: GarbageCollector;
  private readonly namespaces: NamespaceController;
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Immediate | undefined;
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly api: ApiCore,
    workload: DemoWorkload,
    private readonly options: ControllerManagerOptions,
  ) {
    this.deployments = new DeploymentController(api);
    this.replicaSets = new ReplicaSetController(api);
    this.kubelet = new Kubelet(api, workload, options, () => this.schedule());
    this.endpoints = new EndpointsController(api);
    this.garbage = new GarbageCollector(api);
    this.namespaces = new NamespaceController(api);
  }

  start(): void {
    this.unsubscribe = this.api.store.subscribe(() => this.schedule());
    this.timer = setInterval(() => this.schedule(), this.options.tickMs);
    this.timer.unref();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearImmediate(this.pending);
  }

  private schedule(): void {
    if (this.stopped || this.pending || this.running) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.runPass();
    });
  }

  /** One pass of every controller; writes made during the pass schedule the next one. */
  runPass(): void {
    if (this.stopped) return;
    this.running = true;
    const before = this.api.store.resourceVersion;
    try {
      this.namespaces.syncAll();
      this.garbage.syncAll();
      this.deployments.syncAll();
      this.replicaSets.syncAll();
      this.kubelet.syncAll();
      this.endpoints.syncAll();
    } catch (error) {
      console.error("[sandbox] controller pass failed:", error);
    } finally {
      this.running = false;
    }
    if (this.api.store.resourceVersion !== before) this.schedule();
    const due = this.kubelet.nextDueInMs();
    if (due !== undefined && due < this.options.tickMs) setTimeout(() => this.schedule(), due + 1).unref();
  }
}
