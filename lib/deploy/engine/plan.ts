import { noAnalysis, type SliAnalysis } from "@/lib/deploy/analysis/sli-analysis";
import type { RecoveryPlan } from "@/lib/deploy/engine/machine";
import {
  blueGreenDeploy,
  blueGreenRecoveries,
  blueGreenRecoverySteps,
  blueGreenRollback,
} from "@/lib/deploy/strategies/blue-green";
import {
  canaryAbort,
  canaryDeploy,
  canaryRecoveries,
  canaryRecoverySteps,
  canaryRollback,
} from "@/lib/deploy/strategies/canary";
import {
  rollingDeploy,
  rollingRecoveries,
  rollingRecoverySteps,
  rollingRollback,
} from "@/lib/deploy/strategies/rolling";
import type { RunKindName, Step, StrategyName } from "@/lib/deploy/types";

export interface PlanOptions {
  analysis?: SliAnalysis;
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
    return canaryRollback;
  }
  if (kind === "ABORT") return canaryAbort;
  throw new Error(`${kind} runs act on an active run; they have no plan of their own`);
}

/** For each step a deploy may stop at, the steps that leave traffic safe (see engine/machine.ts). */
export function recoveriesFor(strategy: StrategyName): Record<string, RecoveryPlan> {
  if (strategy === "ROLLING") return rollingRecoveries;
  if (strategy === "BLUE_GREEN") return blueGreenRecoveries;
  return canaryRecoveries;
}

export function recoveryStepsFor(strategy: StrategyName): Step[] {
  if (strategy === "ROLLING") return rollingRecoverySteps;
  if (strategy === "BLUE_GREEN") return blueGreenRecoverySteps;
  return canaryRecoverySteps;
}
