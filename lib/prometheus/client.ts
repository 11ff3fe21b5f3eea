import "server-only";
/**
 * The only code that talks to Prometheus, through its HTTP API (/api/v1/query,
 * /api/v1/query_range). Answers are values, never thrown errors; every call has a timeout; and
 * identical queries are coalesced and cached for their refresh interval, so many people watching
 * one service cost Prometheus about one query per panel per interval.
 */
export type PromErrorType = "unavailable" | "timeout" | "bad_query";
export type PromResult<T> = { ok: true; value: T } | { ok: false; error: { type: PromErrorType; message: string } };

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  /** [unix ms, value] */
  points: [number, number][];
}

interface ApiBody {
  status: "success" | "error";
  errorType?: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
  };
}

export interface PrometheusOptions {
  timeoutMs?: number;
  /** How long an answer is reused for the same query (the panels' refresh interval). */
  cacheTtlMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export class PrometheusGateway {
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly fetcher: typeof fetch;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; result: Promise<PromResult<ApiBody["data"]>> }>();
  /** Requests actually sent to Prometheus (for the benchmark and the app's own metrics). */
  upstreamRequests = 0;

  constructor(
    readonly baseUrl: string,
    options: PrometheusOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.ttlMs = options.cacheTtlMs ?? 15_000;
    this.fetcher = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** Instant query. Without `time`, "now" rounded down to the cache interval, so viewers share it. */
  async query(promql: string, time?: number): Promise<PromResult<Sample[]>> {
    const at = time ?? this.bucket(this.now());
    const data = await this.get("/api/v1/query", { query: promql, time: String(at / 1000) });
    if (!data.ok) return data;
    return {
      ok: true,
      value: (data.value?.result ?? []).map((r) => ({ labels: r.metric, value: Number(r.value?.[1]) })),
    };
  }

  /** The first sample's value, or null when the query matched nothing. */
  async scalar(promql: string, time?: number): Promise<PromResult<number | null>> {
    const result = await this.query(promql, time);
    if (!result.ok) return result;
    const value = result.value[0]?.value;
    return { ok: true, value: value === undefined || Number.isNaN(value) ? null : value };
  }

  /** Range query over [start, end] (unix ms), aligned to the step so identical panels share it. */
  async queryRange(promql: string, startMs: number, endMs: number, stepSeconds: number): Promise<PromResult<Series[]>> {
    const stepMs = stepSeconds * 1000;
    const start = Math.floor(startMs / stepMs) * stepMs;
    const end = Math.floor(endMs / stepMs) * stepMs;
    const data = await this.get("/api/v1/query_range", {
      query: promql,
      start: String(start / 1000),
      end: String(end / 1000),
      step: String(stepSeconds),
    });
    if (!data.ok) return data;
    return {
      ok: true,
      value: (data.value?.result ?? []).map((r) => ({
        labels: r.metric,
        points: (r.values ?? []).map(([t, v]) => [t * 1000, Number(v)] as [number, number]),
      })),
    };
  }

  private bucket(ms: number): number {
    return Math.floor(ms / this.ttlMs) * this.ttlMs;
  }

  private get(path: string, params: Record<string, string>): Promise<PromResult<ApiBody["data"]>> {
    const url = `${this.baseUrl.replace(/\/$/, "")}${path}?${new URLSearchParams(params)}`;
    const cached = this.cache.get(url);
    const now = this.now();
    // Answers live until the end of their interval on the clock, not for an interval from when
    // they were asked: viewers refreshing at random moments then cost one query per interval.
    if (cached && this.bucket(now) === this.bucket(cached.at)) return cached.result;
    const result = this.send(url);
    this.cache.set(url, { at: now, result });
    // Failures are not kept: the next viewer asks again.
    void result.then((r) => {
      if (!r.ok && this.cache.get(url)?.result === result) this.cache.delete(url);
    });
    this.evict(now);
    return result;
  }

  private async send(url: string): Promise<PromResult<ApiBody["data"]>> {
    this.upstreamRequests += 1;
    try {
      const response = await this.fetcher(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      const body = (await response.json().catch(() => null)) as ApiBody | null;
      if (!body)
        return {
          ok: false,
          error: { type: "unavailable", message: `Prometheus answered HTTP ${response.status} without JSON` },
        };
      if (body.status !== "success")
        return {
          ok: false,
          error: {
            type: response.status === 400 || body.errorType === "bad_data" ? "bad_query" : "unavailable",
            message: body.error ?? `HTTP ${response.status}`,
          },
        };
      return { ok: true, value: body.data };
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError")
        return {
          ok: false,
          error: { type: "timeout", message: `Prometheus did not answer within ${this.timeoutMs} ms` },
        };
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      return { ok: false, error: { type: "unavailable", message: `Prometheus is unreachable${cause}` } };
    }
  }

  private evict(now: number): void {
    if (this.cache.size < 1000) return;
    for (const [key, entry] of this.cache) if (this.bucket(entry.at) !== this.bucket(now)) this.cache.delete(key);
  }
}

let shared: PrometheusGateway | null | undefined;

/** The app's gateway, or null when PROMETHEUS_URL is not configured. */
export function prometheus(): PrometheusGateway | null {
  if (shared === undefined)
    shared = process.env.PROMETHEUS_URL ? new PrometheusGateway(process.env.PROMETHEUS_URL) : null;
  return shared;
}
