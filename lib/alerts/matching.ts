import { z } from "zod";

/** A service target as alert matching sees it. */
export interface AlertTarget {
  targetId: string;
  serviceId: string;
  environmentId: string;
  serviceName: string;
  environmentName: string;
  /** ServiceTarget.alertMatchers as stored: an object of label → value. */
  alertMatchers: unknown;
}

const matchersSchema = z.record(z.string().min(1), z.string());

/**
 * The labels an alert must carry to belong to a target: its configured alertMatchers, or, when
 * none are configured, service="<service name>" and environment="<environment name>". A stored
 * value that is not an object of strings matches nothing (null), rather than everything.
 */
export function matchersOf(target: AlertTarget): Record<string, string> | null {
  const parsed = matchersSchema.safeParse(target.alertMatchers ?? {});
  if (!parsed.success) return null;
  if (Object.keys(parsed.data).length === 0)
    return { service: target.serviceName, environment: target.environmentName };
  return parsed.data;
}

export type TargetMatch<T extends AlertTarget> =
  | { kind: "matched"; target: T }
  | { kind: "unmatched" }
  | { kind: "ambiguous"; targets: T[] };

/**
 * The target an alert belongs to: every matcher of the target equals the alert's label. When
 * several match, the most specific (most matchers) wins; a tie between targets is ambiguous and
 * is reported rather than guessed.
 */
export function matchTarget<T extends AlertTarget>(
  labels: Record<string, string>,
  targets: readonly T[],
): TargetMatch<T> {
  let best: T[] = [];
  let bestSize = -1;
  for (const target of targets) {
    const matchers = matchersOf(target);
    if (!matchers) continue;
    const entries = Object.entries(matchers);
    if (!entries.every(([label, value]) => labels[label] === value)) continue;
    if (entries.length > bestSize) {
      best = [target];
      bestSize = entries.length;
    } else if (entries.length === bestSize) best.push(target);
  }
  if (best.length === 0) return { kind: "unmatched" };
  if (best.length > 1) return { kind: "ambiguous", targets: best };
  return { kind: "matched", target: best[0] };
}
