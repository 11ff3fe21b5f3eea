import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { planFor } from "@/lib/deploy/engine/plan";
import { deployTarget } from "@/lib/deploy/targets";
import type { RunState, StepContext } from "@/lib/deploy/types";
import { AppError } from "@/lib/errors";
import { gatewayFor as defaultGatewayFor, type ClusterGateway } from "@/lib/k8s/gateway";
import { can, forbiddenMessage } from "@/lib/rbac";
import { redactSecrets } from "@/lib/redact/secrets";

export interface PlannedStep {
  step: string;
  status: "done" | "waiting" | "failed" | "paused";
  message: string;
  request?: unknown;
  response?: unknown;
}

/**
 * What a deploy would do, step by step: reads happen for real, every write goes to the cluster
 * with dryRun=All, so the answers are the cluster's own validation, and nothing changes.
 */
export async function dryRunRelease(
  user: CurrentUser,
  releaseId: string,
  gatewayFor: (cluster: string) => ClusterGateway = defaultGatewayFor,
) {
  if (!can(user, "release:deploy"))
    throw new AppError("FORBIDDEN", forbiddenMessage("release:deploy", "plan a deploy"));
  const release = await db.release.findUnique({
    where: { id: releaseId },
    include: {
      service: { include: { targets: { include: { smokeChecks: { orderBy: { position: "asc" } } } } } },
    },
  });
  if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
  const row = release.service.targets.find((t) => t.environmentId === release.environmentId);
  if (!row) throw new AppError("INVALID", "This service is not set up for the release's environment.");
  const target = deployTarget(row, release.service.name);
  let gateway: ClusterGateway;
  try {
    gateway = gatewayFor(target.cluster);
  } catch (error) {
    throw new AppError(
      "CLUSTER_UNAVAILABLE",
      error instanceof Error ? error.message : "The cluster is not configured.",
    );
  }
  const context: StepContext = { gateway, target, image: release.imageRef, dryRun: true, now: () => new Date() };
  let state: RunState = {};
  const steps: PlannedStep[] = [];
  for (const step of planFor("DEPLOY", release.strategy, { dryRun: true })) {
    const result = await step.run(context, state);
    if ("state" in result && result.state) state = { ...state, ...result.state };
    steps.push({
      step: step.name,
      status: result.status,
      message: result.message,
      // Shown to the person who asked; the plan carries pod templates like a run's events do.
      request: redactSecrets(result.request),
      response: redactSecrets(result.response),
    });
    if (result.status === "failed") break;
  }
  return {
    strategy: release.strategy,
    image: release.imageRef,
    target: { cluster: target.cluster, namespace: target.namespace },
    steps,
  };
}
