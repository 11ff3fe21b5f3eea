import type { ClusterGateway, ClusterReader } from "@/lib/k8s/gateway";
import type { AnalysisRule } from "@/lib/deploy/analysis/rules";
import type { K8sError } from "@/lib/k8s/result";
import type { MetricNames } from "@/lib/prometheus/promql";
import type { Recovery } from "@/lib/deploy/engine/machine";
import type { SmokeCheckSpec } from "@/lib/deploy/smoke/checks";

export type StrategyName = "ROLLING" | "BLUE_GREEN" | "CANARY";
export type RunKindName = "DEPLOY" | "ROLLBACK" | "PROMOTE" | "ABORT";

/** Where and how a service runs in one environment (from its ServiceTarget). */
export interface DeployTarget {
  cluster: string;
  namespace: string;
  deploymentName: string;
  containerName: string;
  kubeServiceName: string;
  colorLabelKey: string;
  canaryIngressName: string | null;
  canarySteps: number[];
  canaryPauseSeconds: number;
  /** Rolling and blue-green: how long the SLIs are watched after a deploy (0: not at all). */
  verifyWindowSeconds: number;
  /** Whether a breach in the verification window rolls the service back by itself. */
  autoRollback: boolean;
  /** PromQL label selector of the service's series, for SLI analysis. */
  metricsSelector: string | null;
  /** The metric and label names its PromQL templates use. */
  metrics: MetricNames;
  /** What a canary step or the verification window must meet. */
  rules: AnalysisRule[];
  /** Fewer requests than this in a window are not judged. */
  minRequests: number;
  /** HTTP checks of the new version before traffic reaches it and after (lib/deploy/smoke). */
  smokeChecks: SmokeCheckSpec[];
}

/** What a run remembers between steps; persisted after every step, so a new worker resumes. */
export interface RunState {
  fromImage?: string;
  toImage?: string;
  liveColor?: string;
  idleColor?: string;
  replicas?: number;
  previousRevision?: number;
  canaryStep?: number;
  /** Blue-green rollback: the previous colour had to be scaled back up before the switch. */
  scaledUp?: boolean;
  pauseUntil?: string;
  /** When the current canary step's pause began: the window its analysis judges starts there. */
  pauseStartedAt?: string;
  /** An automatic rollback: the version it undoes; if another one is live, it changes nothing. */
  expectLiveImage?: string;
  /** When the running canary pause was last checked against its SLIs. */
  lastCheckAt?: string;
  /** A person's request to a paused or running canary (from the run's control_request column). */
  control?: "promote" | "abort";
  rollbackTarget?: RollbackTarget;
  /** A deploy being brought back to safety (failed, aborted, past its deadline): see engine/machine.ts. */
  recovery?: Recovery;
  /** Before recovery existed, only canaries stopped; a run persisted then resumes through `recovery`. */
  stopping?: Stopping;
  /**
   * Rollbacks: the good versions from the deployment log, newest first (set when the rollback is
   * requested); the rollback restores the first that is not live, and records it in `rollbackTo`.
   */
  candidates?: string[];
  rollbackTo?: string;
  /**
   * Blue-green rollbacks: the switch the person was shown, read from the cluster when they asked.
   * While those reads are fresh the run switches at once (the PATCH itself checks the live colour).
   */
  switchNow?: { from: string; to: string; readAt: string };
}

/** How a canary being stopped will end; `breach` says its analysis failed (why, for the incident). */
export interface Stopping {
  status: "ABORTED" | "FAILED";
  /** Why it is being stopped. */
  outcome: string;
  /** Added to the outcome once the canary is gone ("the canary was scaled to zero"). */
  whenStopped?: string;
  breach?: string;
}

export type RollbackTarget =
  | { strategy: "ROLLING"; revision: number; image?: string }
  | { strategy: "BLUE_GREEN"; color: string; image?: string }
  | { strategy: "CANARY"; image: string };

/** What reading a target's state needs (a rollback preview, the service page): reads only. */
export interface ReadContext {
  gateway: ClusterReader;
  target: DeployTarget;
  now: () => Date;
}

export interface StepContext {
  gateway: ClusterGateway;
  target: DeployTarget;
  /** The image a deploy ships. */
  image: string;
  dryRun: boolean;
  now: () => Date;
}

/** What the cluster was sent and what it answered, for the run's events. */
export interface Exchange {
  request?: unknown;
  response?: unknown;
}

export type StepResult =
  | ({ status: "done"; message: string; state?: Partial<RunState>; trafficSwitched?: boolean } & Exchange)
  | ({ status: "waiting"; message: string; retryInMs: number; state?: Partial<RunState> } & Exchange)
  /** `breach`: the failure is an SLI analysis verdict, so stopping the deploy is an automatic rollback. */
  | ({ status: "failed"; message: string; k8sError?: K8sError; breach?: boolean } & Exchange)
  | ({ status: "paused"; message: string; state?: Partial<RunState> } & Exchange);

export interface Step {
  name: string;
  /** Idempotent: run again after a restart, it converges to the same cluster state. */
  run(context: StepContext, state: RunState): Promise<StepResult>;
}
