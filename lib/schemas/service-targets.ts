import { z } from "zod";
import { DEFAULT_MIN_REQUESTS, DEFAULT_RULES, type AnalysisRule } from "@/lib/deploy/analysis/rules";
import { DEFAULT_METRICS, isValidSelector } from "@/lib/prometheus/promql";
import { id } from "@/lib/schemas/common";
import { invisibleOrControl, invisibleOrControlMessage, noInvisibleOrControl } from "@/lib/schemas/text";

/*
 * The form for one service target's SLI and analysis settings. People think in percent and
 * milliseconds; the database (and Prometheus) in ratios and seconds. The form fields carry their
 * unit in their name, and the schema's output is in stored units, so a value is converted in
 * exactly one place.
 */

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CONTROL = /[\u0000-\u001F\u007F]/;

export const LIMITS = {
  errorRatePercent: { max: 50 },
  latencyMs: { min: 1, max: 60_000 },
  minRequests: { min: 1, max: 100_000 },
  verifyWindowSeconds: { min: 0, max: 86_400 },
  canarySteps: { max: 10 },
  // Shorter pauses hold too few scrapes for a rate: the analysis would judge the step before it.
  canaryPauseSeconds: { min: 20, max: 3_600 },
} as const;

const defaultMax = (sli: AnalysisRule["sli"]) => DEFAULT_RULES.find((r) => r.sli === sli)!.max;
// Floating point: 0.07 / 100 is 0.0007000000000000001; twelve significant digits is more than any
// threshold needs and keeps stored and displayed values round.
const tidy = (n: number) => Number(n.toPrecision(12));
export const percentToRatio = (percent: number) => tidy(percent / 100);
export const ratioToPercent = (ratio: number) => tidy(ratio * 100);
export const msToSeconds = (ms: number) => tidy(ms / 1000);
export const secondsToMs = (seconds: number) => tidy(seconds * 1000);

/** What an empty field means, in form units: the placeholders show these. */
export const FORM_DEFAULTS = {
  maxErrorRatePercent: ratioToPercent(defaultMax("error_rate")),
  maxLatencyP95Ms: secondsToMs(defaultMax("latency_p95")),
  maxLatencyP99Ms: secondsToMs(defaultMax("latency_p99")),
  minRequests: DEFAULT_MIN_REQUESTS,
  requestsMetric: DEFAULT_METRICS.requests,
  durationMetric: DEFAULT_METRICS.duration,
  statusLabel: DEFAULT_METRICS.statusLabel,
  cpuMetric: DEFAULT_METRICS.cpu,
  memoryMetric: DEFAULT_METRICS.memory,
} as const;
export type FormDefaults = typeof FORM_DEFAULTS;

/** Steps are shares of traffic for the canary; the last one is the full rollout. */
export function canaryStepsProblem(steps: readonly number[]): string | null {
  if (steps.length === 0) return "Enter at least one step, e.g. 5, 25, 50, 100.";
  if (steps.length > LIMITS.canarySteps.max) return `At most ${LIMITS.canarySteps.max} steps.`;
  if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100)) return "Each step is a whole percent from 1 to 100.";
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1])) return "Each step must be larger than the one before.";
  if (steps.at(-1) !== 100) return "The last step must be 100 (the full rollout).";
  // Without a step below 100 the canary is never judged before it takes all traffic.
  if (steps.length < 2)
    return "Add at least one step below 100, e.g. 25, 100: that step is where the canary is judged.";
  return null;
}

/** The settings that are pasted into PromQL. */
export interface PromqlFields {
  metricsSelector: string | null;
  requestsMetric: string;
  durationMetric: string;
  statusLabel: string;
  cpuMetric: string;
  memoryMetric: string;
}

const SELECTOR_MESSAGE =
  'Use label matchers only, e.g. app="checkout",namespace="shop-production" (=, !=, =~ or !~, values in double quotes).';
const metricMessage = (label: string) =>
  `${label}: letters, digits, _ and : only, not starting with a digit (e.g. http_requests_total).`;
const LABEL_MESSAGE = "Status label: letters, digits and _ only, not starting with a digit (e.g. status or code).";

/**
 * Field errors for values that would change the meaning of a query. The form schema checks the
 * same; this is for the write path, so nothing that reaches the database can smuggle PromQL in.
 */
export function promqlFieldErrors(fields: PromqlFields): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const hidden = fields.metricsSelector === null ? null : invisibleOrControl(fields.metricsSelector);
  if (hidden) errors.metricsSelector = [invisibleOrControlMessage("The selector", hidden)];
  else if (
    fields.metricsSelector !== null &&
    (!isValidSelector(fields.metricsSelector) || CONTROL.test(fields.metricsSelector))
  )
    errors.metricsSelector = [SELECTOR_MESSAGE];
  const names = {
    requestsMetric: "Requests metric",
    durationMetric: "Duration histogram",
    cpuMetric: "CPU metric",
    memoryMetric: "Memory metric",
  } as const;
  for (const [key, label] of Object.entries(names) as [keyof typeof names, string][]) {
    if (!METRIC_NAME.test(fields[key])) errors[key] = [metricMessage(label)];
  }
  if (!LABEL_NAME.test(fields.statusLabel)) errors.statusLabel = [LABEL_MESSAGE];
  return errors;
}

// Form fields arrive as typed text (or numbers from code); blank means "use the default".
const blankToNull = (v: string | number | null) =>
  v === null || (typeof v === "string" && v.trim() === "") ? null : typeof v === "number" ? v : Number(v.trim());
const typed = z.union([z.string(), z.number(), z.null()], { error: "Enter a number." });

function optionalNumber(message: { nan: string }) {
  return typed.transform(blankToNull).pipe(z.number({ error: message.nan }).nullable());
}

function requiredInteger(label: string, { min, max }: { min: number; max: number }, unit: string) {
  const range = `${label} is a whole number from ${min} to ${max}${unit}.`;
  return typed.transform(blankToNull).pipe(
    z
      .number({ error: (issue) => (issue.input === null ? `${label} is required.` : range) })
      .int(range)
      .min(min, range)
      .max(max, range),
  );
}

function metricName(label: string, fallback: string) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .max(200, `${label} can be at most 200 characters.`)
    .transform((v) => v || fallback)
    .refine((v) => METRIC_NAME.test(v), metricMessage(label));
}

const selector = z
  .union([z.string(), z.null()], { error: SELECTOR_MESSAGE })
  .transform((v) => v?.trim() || null)
  .pipe(
    z
      .string()
      .max(500, "The selector can be at most 500 characters.")
      .superRefine(noInvisibleOrControl("The selector"))
      .refine((v) => isValidSelector(v) && !CONTROL.test(v), SELECTOR_MESSAGE)
      .nullable(),
  );

const canarySteps = z
  .union([z.string(), z.array(z.number())], {
    error: "Enter the steps as percents separated by commas, e.g. 5, 25, 50, 100.",
  })
  .transform((v) =>
    typeof v === "string"
      ? v
          .replaceAll("%", " ")
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(Number)
      : v,
  )
  .superRefine((steps, ctx) => {
    const problem = canaryStepsProblem(steps);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const serviceTargetSettingsSchema = z
  .object({
    targetId: id,
    metricsSelector: selector,
    requestsMetric: metricName("Requests metric", DEFAULT_METRICS.requests),
    // The templates add _bucket to the histogram's name themselves.
    durationMetric: metricName("Duration histogram", DEFAULT_METRICS.duration).refine(
      (v) => !v.endsWith("_bucket"),
      "Enter the histogram's base name without _bucket; Greenlight adds it.",
    ),
    statusLabel: z
      .string({ error: "Status label is required." })
      .trim()
      .max(100, "Status label can be at most 100 characters.")
      .transform((v) => v || DEFAULT_METRICS.statusLabel)
      .refine((v) => LABEL_NAME.test(v), LABEL_MESSAGE),
    cpuMetric: metricName("CPU metric", DEFAULT_METRICS.cpu),
    memoryMetric: metricName("Memory metric", DEFAULT_METRICS.memory),
    maxErrorRatePercent: optionalNumber({
      nan: "Error rate limit: enter a percentage such as 0.1, or leave it empty for the default.",
    }).refine(
      (v) => v === null || (v > 0 && v <= LIMITS.errorRatePercent.max),
      `Error rate limit must be above 0 % and at most ${LIMITS.errorRatePercent.max} %.`,
    ),
    maxLatencyP95Ms: optionalNumber({
      nan: "P95 limit: enter milliseconds such as 300, or leave it empty for the default.",
    }).refine(
      (v) => v === null || (v >= LIMITS.latencyMs.min && v <= LIMITS.latencyMs.max),
      `P95 limit must be from ${LIMITS.latencyMs.min} to ${LIMITS.latencyMs.max} ms.`,
    ),
    maxLatencyP99Ms: optionalNumber({
      nan: "P99 limit: enter milliseconds such as 1000, or leave it empty for the default.",
    }).refine(
      (v) => v === null || (v >= LIMITS.latencyMs.min && v <= LIMITS.latencyMs.max),
      `P99 limit must be from ${LIMITS.latencyMs.min} to ${LIMITS.latencyMs.max} ms.`,
    ),
    minRequests: optionalNumber({
      nan: "Minimum requests: enter a whole number, or leave it empty for the default.",
    }).refine(
      (v) => v === null || (Number.isInteger(v) && v >= LIMITS.minRequests.min && v <= LIMITS.minRequests.max),
      `Minimum requests is a whole number from ${LIMITS.minRequests.min} to ${LIMITS.minRequests.max}.`,
    ),
    verifyWindowSeconds: requiredInteger(
      "Verification window",
      LIMITS.verifyWindowSeconds,
      " seconds (0 turns it off)",
    ),
    autoRollback: z.boolean({ error: "Choose whether a breach rolls back automatically." }),
    canarySteps,
    canaryPauseSeconds: requiredInteger("Pause per step", LIMITS.canaryPauseSeconds, " seconds"),
  })
  .superRefine((v, ctx) => {
    // P99 is never below P95, so a P95 limit above the P99 limit can never fire on its own: almost
    // certainly a typo (3000 for 300). Reported on the field the admin actually set.
    const p95 = v.maxLatencyP95Ms ?? FORM_DEFAULTS.maxLatencyP95Ms;
    const p99 = v.maxLatencyP99Ms ?? FORM_DEFAULTS.maxLatencyP99Ms;
    if (p95 > p99) {
      const onP99 = v.maxLatencyP99Ms !== null;
      ctx.addIssue({
        code: "custom",
        path: [onP99 ? "maxLatencyP99Ms" : "maxLatencyP95Ms"],
        message: onP99
          ? `P99 limit must be at least the P95 limit (${p95} ms).`
          : `P95 limit must not exceed the P99 limit (${p99} ms, the default).`,
      });
    }
  })
  .transform((v) => ({
    targetId: v.targetId,
    metricsSelector: v.metricsSelector,
    requestsMetric: v.requestsMetric,
    durationMetric: v.durationMetric,
    statusLabel: v.statusLabel,
    cpuMetric: v.cpuMetric,
    memoryMetric: v.memoryMetric,
    maxErrorRate: v.maxErrorRatePercent === null ? null : percentToRatio(v.maxErrorRatePercent),
    maxLatencyP95: v.maxLatencyP95Ms === null ? null : msToSeconds(v.maxLatencyP95Ms),
    maxLatencyP99: v.maxLatencyP99Ms === null ? null : msToSeconds(v.maxLatencyP99Ms),
    minRequests: v.minRequests,
    verifyWindowSeconds: v.verifyWindowSeconds,
    autoRollback: v.autoRollback,
    canarySteps: v.canarySteps,
    canaryPauseSeconds: v.canaryPauseSeconds,
  }));

/** Parsed settings in stored units (ratio, seconds), ready for the database. */
export type ServiceTargetSettings = z.output<typeof serviceTargetSettingsSchema>;
/** The stored columns this form edits. */
export type StoredTargetSettings = Omit<ServiceTargetSettings, "targetId">;

/** The form as the browser holds it: text as typed, units as labelled. */
export interface ServiceTargetFormValues {
  metricsSelector: string;
  requestsMetric: string;
  durationMetric: string;
  statusLabel: string;
  cpuMetric: string;
  memoryMetric: string;
  maxErrorRatePercent: string;
  maxLatencyP95Ms: string;
  maxLatencyP99Ms: string;
  minRequests: string;
  verifyWindowSeconds: string;
  autoRollback: boolean;
  canarySteps: string;
  canaryPauseSeconds: string;
}

const text = (n: number | null) => (n === null ? "" : String(n));

/** Stored settings as the form shows them; null thresholds stay empty so the default shows. */
export function toFormValues(row: StoredTargetSettings): ServiceTargetFormValues {
  return {
    metricsSelector: row.metricsSelector ?? "",
    requestsMetric: row.requestsMetric,
    durationMetric: row.durationMetric,
    statusLabel: row.statusLabel,
    cpuMetric: row.cpuMetric,
    memoryMetric: row.memoryMetric,
    maxErrorRatePercent: text(row.maxErrorRate === null ? null : ratioToPercent(row.maxErrorRate)),
    maxLatencyP95Ms: text(row.maxLatencyP95 === null ? null : secondsToMs(row.maxLatencyP95)),
    maxLatencyP99Ms: text(row.maxLatencyP99 === null ? null : secondsToMs(row.maxLatencyP99)),
    minRequests: text(row.minRequests),
    verifyWindowSeconds: String(row.verifyWindowSeconds),
    autoRollback: row.autoRollback,
    canarySteps: row.canarySteps.join(", "),
    canaryPauseSeconds: String(row.canaryPauseSeconds),
  };
}
