import { noAnalysis, type SliAnalysis } from "@/lib/deploy/analysis";
import { blueGreenDeploy, blueGreenRollback } from "@/lib/deploy/strategies/blue-green";
import { canaryAbort, canaryDeploy, canaryRollback } from "@/lib/deploy/strategies/canary";
import { rollingDeploy, rollingRollback } from "@/lib/deploy/strategies/rolling";
import type { RunKindName, Step, StrategyName } from "@/lib/deploy/types";

export interface PlanOptions {
  analysis?: SliAnalysis;
  /** Canary rollbacks put back the stable image recorded by the last successful deploy. */
  previousImage?: string;
  /** A dry run sends every write with dryRun=All and skips the waits. */
  dryRun?: boolean;
}

export function planFor(kind: RunKindName, strategy: StrategyName, options: PlanOptions = {}): Step[] {
  const steps = stepsFor(kind, strategy, options);
  return options.dryRun ? steps.filter((s) => !s.name.startsWith("wait") && !s.name.startsWith("verify")) : steps;
}

function stepsFor(kind: RunKindName, strategy: StrategyName, options: PlanOptions): Step[] {
  if (kind === "DEPLOY") {
    if (strategy === "ROLLING") return rollingDeploy;
    if (strategy === "BLUE_GREEN") return blueGreenDeploy;
    return canaryDeploy(options.analysis ?? noAnalysis);
  }
  if (kind === "ROLLBACK") {
    if (strategy === "ROLLING") return rollingRollback;
    if (strategy === "BLUE_GREEN") return blueGreenRollback;
    return canaryRollback(options.previousImage);
  }
  if (kind === "ABORT") return canaryAbort;
  throw new Error(`${kind} runs act on an active run; they have no plan of their own`);
}
