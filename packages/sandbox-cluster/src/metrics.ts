/**
 * Prometheus text exposition (format 0.0.4), hand-written because prom-client is not a
 * dependency. One registry per demo pod; every series carries the pod's identity labels.
 */

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type LabelSet = Record<string, string>;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export function formatLabels(labels: LabelSet): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

export class PodMetrics {
  private readonly requests = new Map<string, number>();
  private readonly bucketCounts = DURATION_BUCKETS.map(() => 0);
  private durationSum = 0;
  private durationCount = 0;
  private readonly startedAt = Date.now();
  private recent: number[] = [];

  constructor(
    private readonly identity: LabelSet,
    private readonly profile: { cpuBase: number; memoryBase: number },
  ) {}

  observe(method: string, status: number, seconds: number): void {
    const key = `${method} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.bucketCounts[i]++;
    });
    this.durationSum += seconds;
    this.durationCount++;
    const now = Date.now();
    this.recent.push(now);
    if (this.recent.length > 2000) this.recent = this.recent.filter((t) => t > now - 10_000);
  }

  /** Requests per second over the last 10 s; drives the simulated CPU gauge. */
  private recentRate(): number {
    const since = Date.now() - 10_000;
    this.recent = this.recent.filter((t) => t > since);
    return this.recent.length / 10;
  }

  render(): string {
    const id = this.identity;
    const lines: string[] = [];
    lines.push("# HELP http_requests_total Total HTTP requests served by the demo pod, by method and status code.");
    lines.push("# TYPE http_requests_total counter");
    const entries = [...this.requests.entries()].sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0)
      lines.push(`http_requests_total${formatLabels({ ...id, method: "GET", status: "200" })} 0`);
    for (const [key, count] of entries) {
      const [method, status] = key.split(" ");
      lines.push(`http_requests_total${formatLabels({ ...id, method, status })} ${count}`);
    }
    lines.push("# HELP http_request_duration_seconds Time the demo pod took to answer a request.");
    lines.push("# TYPE http_request_duration_seconds histogram");
    DURATION_BUCKETS.forEach((le, i) => {
      lines.push(
        `http_request_duration_seconds_bucket${formatLabels({ ...id, le: formatNumber(le) })} ${this.bucketCounts[i]}`,
      );
    });
    lines.push(`http_request_duration_seconds_bucket${formatLabels({ ...id, le: "+Inf" })} ${this.durationCount}`);
    lines.push(`http_request_duration_seconds_sum${formatLabels(id)} ${formatNumber(this.durationSum)}`);
    lines.push(`http_request_duration_seconds_count${formatLabels(id)} ${this.durationCount}`);
    const jitter = () => (Math.random() - 0.5) * 0.04;
    const cpu = Math.min(1, Math.max(0, this.profile.cpuBase + Math.min(0.15, this.recentRate() * 0.01) + jitter()));
    const memory = Math.min(
      1,
      Math.max(0, this.profile.memoryBase + Math.min(0.1, (Date.now() - this.startedAt) / 3_600_000) + jitter() / 2),
    );
    lines.push(
      "# HELP process_cpu_usage_ratio CPU used by the demo pod as a share of its CPU limit (0..1, simulated).",
    );
    lines.push("# TYPE process_cpu_usage_ratio gauge");
    lines.push(`process_cpu_usage_ratio${formatLabels(id)} ${cpu.toFixed(4)}`);
    lines.push(
      "# HELP process_memory_usage_ratio Memory used by the demo pod as a share of its memory limit (0..1, simulated).",
    );
    lines.push("# TYPE process_memory_usage_ratio gauge");
    lines.push(`process_memory_usage_ratio${formatLabels(id)} ${memory.toFixed(4)}`);
    lines.push("# HELP process_start_time_seconds Start time of the demo pod since unix epoch in seconds.");
    lines.push("# TYPE process_start_time_seconds gauge");
    lines.push(`process_start_time_seconds${formatLabels(id)} ${Math.floor(this.startedAt / 1000)}`);
    return `${lines.join("\n")}\n`;
  }
}
