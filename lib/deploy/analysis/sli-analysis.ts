import type { DeployTarget, RunState } from "@/lib/deploy/types";

export type AnalysisVerdict = { verdict: "pass" | "fail" | "inconclusive"; summary: string; measurements?: unknown };

/** Judges a deploy on its SLIs: canary steps while they run, and the new version after a deploy. */
export interface SliAnalysis {
  /**
   * Judges the canary's pods over the last `windowSeconds` (by default the step's pause), before
   * the canary gets more traffic, and while a pause runs, so a breach stops it early.
   */
  evaluateStep(
    target: DeployTarget,
    state: RunState,
    percent: number,
    windowSeconds?: number,
  ): Promise<AnalysisVerdict>;
  /**
   * Judges the version traffic went to over the last `windowSeconds`: the verification window.
   * `labels` narrow it (blue-green: the new colour) where the series carry them.
   */
  evaluateLive?(target: DeployTarget, windowSeconds: number, labels?: Record<string, string>): Promise<AnalysisVerdict>;
  /** How often a running pause or verification window is checked; no interim checks without it. */
  intervalMs?: number;
  /** The shortest window judged, so rates have enough samples. */
  minWindowSeconds?: number;
}

/**
 * Without Prometheus every step passes after its pause, and says so; the run calls this hook at
 * each step so the analysis plugs in without touching the strategy.
 */
export const noAnalysis: SliAnalysis = {
  async evaluateStep(_target, _state, percent) {
    return { verdict: "pass", summary: `no SLI analysis configured; ${percent} % step passes after its pause` };
  },
};
