/**
 * PromQL for the SLIs, built from a service's label selector. Defaults fit the common
 * `http_requests_total{status}` / `http_request_duration_seconds` names the sandbox pods export.
 */

// `name="value"` matchers joined by commas; values may use escapes. Anything else is refused, so
// a selector typed by an admin cannot smuggle other PromQL into a query.
const MATCHER = String.raw`\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*`;
const SELECTOR = new RegExp(`^(?:${MATCHER}(?:,${MATCHER})*)?$`);
const WINDOW = /^\d+(?:ms|s|m|h|d|w)$/;

export function isValidSelector(selector: string): boolean {
  return SELECTOR.test(selector);
}

function assertSelector(selector: string): string {
  if (!isValidSelector(selector)) throw new Error(`not a PromQL label selector: ${selector}`);
  return selector.trim();
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL.test(name);
}

/** Metric names are pasted into PromQL too: only real names get through. */
export function assertMetrics(m: MetricNames): MetricNames {
  for (const name of [m.requests, m.duration, m.cpu, m.memory])
    if (!METRIC.test(name)) throw new Error(`not a metric name: ${name}`);
  if (!LABEL.test(m.statusLabel)) throw new Error(`not a label name: ${m.statusLabel}`);
  return m;
}

function assertWindow(window: string): string {
  if (!WINDOW.test(window)) throw new Error(`not a PromQL range: ${window}`);
  return window;
}

/** Adds matchers (e.g. track="canary") to a selector. */
export function withLabels(selector: string, labels: Record<string, string>): string {
  const extra = Object.entries(labels).map(([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
  return [assertSelector(selector), ...extra].filter(Boolean).join(",");
}

export interface MetricNames {
  requests: string;
  duration: string;
  cpu: string;
  memory: string;
  statusLabel: string;
}

export const DEFAULT_METRICS: MetricNames = {
  requests: "http_requests_total",
  duration: "http_request_duration_seconds",
  cpu: "process_cpu_usage_ratio",
  memory: "process_memory_usage_ratio",
  statusLabel: "status",
};

/** The metric names a service target stores (its columns), as the templates take them. */
export function metricNamesOf(row: {
  requestsMetric: string;
  durationMetric: string;
  statusLabel: string;
  cpuMetric: string;
  memoryMetric: string;
}): MetricNames {
  return {
    requests: row.requestsMetric,
    duration: row.durationMetric,
    statusLabel: row.statusLabel,
    cpu: row.cpuMetric,
    memory: row.memoryMetric,
  };
}

export function requestRate(selector: string, window: string, m: MetricNames = DEFAULT_METRICS): string {
  assertMetrics(m);
  return `sum(rate(${m.requests}{${assertSelector(selector)}}[${assertWindow(window)}]))`;
}

export function requestCount(selector: string, window: string, m: MetricNames = DEFAULT_METRICS): string {
  assertMetrics(m);
  return `sum(increase(${m.requests}{${assertSelector(selector)}}[${assertWindow(window)}]))`;
}

/** The 5xx share of requests. */
export function errorRatio(selector: string, window: string, m: MetricNames = DEFAULT_METRICS): string {
  assertMetrics(m);
  const sel = assertSelector(selector);
  const errors = sel ? `${sel},${m.statusLabel}=~"5.."` : `${m.statusLabel}=~"5.."`;
  const labelled = sel ? `${sel},${m.statusLabel}!=""` : `${m.statusLabel}!=""`;
  // No 5xx is a 0 only where the series carry the status label at all: a wrong label name must
  // read as no data (never judged), not as a perfect 0 % that promotes anything.
  return `(sum(rate(${m.requests}{${errors}}[${assertWindow(window)}])) or (0 * sum(rate(${m.requests}{${labelled}}[${window}])))) / sum(rate(${m.requests}{${sel}}[${window}]))`;
}

/** The non-5xx share of requests: the availability SLI. */
export function availability(selector: string, window: string, m: MetricNames = DEFAULT_METRICS): string {
  return `1 - (${errorRatio(selector, window, m)})`;
}

export function latencyQuantile(
  quantile: number,
  selector: string,
  window: string,
  m: MetricNames = DEFAULT_METRICS,
): string {
  assertMetrics(m);
  if (!(quantile > 0 && quantile < 1)) throw new Error(`quantile out of range: ${quantile}`);
  return `histogram_quantile(${quantile}, sum by (le) (rate(${m.duration}_bucket{${assertSelector(selector)}}[${assertWindow(window)}])))`;
}

export function cpuUsage(selector: string, m: MetricNames = DEFAULT_METRICS): string {
  assertMetrics(m);
  return `avg(${m.cpu}{${assertSelector(selector)}})`;
}

export function memoryUsage(selector: string, m: MetricNames = DEFAULT_METRICS): string {
  assertMetrics(m);
  return `avg(${m.memory}{${assertSelector(selector)}})`;
}
