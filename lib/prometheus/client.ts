import "server-only";
import fs from "node:fs";
import https from "node:https";
import { parseEnv, type Env } from "@/lib/env";
import { cacheMetrics, telemetry, type CacheMetrics } from "@/lib/telemetry/metrics";
/**
 * The only code that talks to Prometheus, through its HTTP API (/api/v1/query,
 * /api/v1/query_range). Answers are values, never thrown errors; every call has a timeout; and
 * identical queries are coalesced and cached for their refresh interval, so many people watching
 * one service cost Prometheus about one query per panel per interval.
 */
export type PromErrorType = "unavailable" | "timeout" | "bad_query" | "unauthorized";
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

/** How requests to Prometheus authenticate: real endpoints are rarely open. */
export interface PrometheusAuth {
  bearerToken?: string;
  /** Read at each request, so a rotated (projected) token is picked up. */
  bearerTokenFile?: string;
  basic?: { username: string; password: string };
  /** PEM of the CA(s) that signed Prometheus's certificate, for a private https endpoint. */
  ca?: string;
}

export interface PrometheusOptions {
  timeoutMs?: number;
  auth?: PrometheusAuth;
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
  private readonly auth: PrometheusAuth;
  private readonly cacheCounts: CacheMetrics;
  private readonly cache = new Map<string, { at: number; result: Promise<PromResult<ApiBody["data"]>> }>();
  /** Requests actually sent to Prometheus (for the benchmark and the app's own metrics). */
  upstreamRequests = 0;

  constructor(
    readonly baseUrl: string,
    options: PrometheusOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.ttlMs = options.cacheTtlMs ?? 15_000;
    this.auth = options.auth ?? {};
    this.fetcher = options.fetch ?? (this.auth.ca ? fetchTrusting(this.auth.ca) : fetch);
    this.now = options.now ?? Date.now;
    this.cacheCounts = cacheMetrics("prometheus");
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
    if (cached && this.bucket(now) === this.bucket(cached.at)) {
      this.cacheCounts.hit();
      return cached.result;
    }
    this.cacheCounts.miss();
    const started = performance.now();
    const result = this.send(url);
    void result.then((r) =>
      telemetry().prometheusRequestDuration.observe(
        { endpoint: path.replace("/api/v1/", ""), outcome: r.ok ? "ok" : r.error.type },
        (performance.now() - started) / 1000,
      ),
    );
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
      const response = await this.fetcher(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: this.authorization(),
      });
      if (response.status === 401 || response.status === 403) return this.refused(response.status);
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
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const tls = tlsProblem(cause, Boolean(this.auth.ca));
      if (tls) return { ok: false, error: { type: "unavailable", message: tls } };
      const detail = cause instanceof Error && cause !== error ? `: ${cause.message}` : "";
      return { ok: false, error: { type: "unavailable", message: `Prometheus is unreachable${detail}` } };
    }
  }

  private authorization(): Record<string, string> {
    const { bearerToken, bearerTokenFile, basic } = this.auth;
    const token = bearerTokenFile ? fs.readFileSync(bearerTokenFile, "utf8").trim() : bearerToken;
    if (token) return { Authorization: `Bearer ${token}` };
    if (basic)
      return { Authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}` };
    return {};
  }

  private refused(status: number): PromResult<never> {
    const sent =
      this.auth.bearerToken || this.auth.bearerTokenFile
        ? "bearer token"
        : this.auth.basic
          ? "username and password"
          : null;
    const message = sent
      ? `Prometheus refused the ${sent} Greenlight sent (HTTP ${status}): check ${sent === "bearer token" ? "PROMETHEUS_BEARER_TOKEN or PROMETHEUS_BEARER_TOKEN_FILE" : "PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD"}`
      : `Prometheus asks for credentials (HTTP ${status}): set PROMETHEUS_BEARER_TOKEN (or _FILE), or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD`;
    return { ok: false, error: { type: "unauthorized", message } };
  }

  private evict(now: number): void {
    if (this.cache.size < 1000) return;
    for (const [key, entry] of this.cache) if (this.bucket(entry.at) !== this.bucket(now)) this.cache.delete(key);
  }
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** A sentence for a certificate Node would not trust, or null for any other failure. */
function tlsProblem(error: unknown, customCa: boolean): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !TLS_CODES.has(code)) return null;
  const reason = error instanceof Error ? error.message : code;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return `Prometheus's TLS certificate does not name the host in PROMETHEUS_URL (${reason})`;
  return customCa
    ? `Prometheus's TLS certificate is not signed by the CA in PROMETHEUS_CA_FILE (${code}: ${reason})`
    : `Prometheus's TLS certificate is not trusted (${code}: ${reason}): set PROMETHEUS_CA_FILE to the CA that signed it`;
}

/**
 * fetch for an https Prometheus signed by a private CA: Node's fetch cannot take a CA per
 * request, https.request can. Only what the gateway uses: GET, headers, a signal, status and body.
 */
function fetchTrusting(ca: string): typeof fetch {
  return ((input: string | URL, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const request = https.get(
        input,
        { ca, headers: init?.headers as Record<string, string> | undefined, signal: init?.signal ?? undefined },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.on("end", () => resolve(new Response(Buffer.concat(chunks), { status: answer.statusCode ?? 502 })));
          answer.on("error", reject);
        },
      );
      // As fetch reports it: the socket's error as the cause of a TypeError.
      request.on("error", (error) =>
        reject(
          error.name === "AbortError"
            ? (init?.signal?.reason ?? error)
            : new TypeError("fetch failed", { cause: error }),
        ),
      );
    })) as typeof fetch;
}

/** The gateway's authentication from the checked configuration (lib/env.ts). */
export function prometheusAuth(
  config: Pick<
    Env,
    | "PROMETHEUS_BEARER_TOKEN"
    | "PROMETHEUS_BEARER_TOKEN_FILE"
    | "PROMETHEUS_USERNAME"
    | "PROMETHEUS_PASSWORD"
    | "PROMETHEUS_CA_FILE"
  >,
): PrometheusAuth {
  return {
    bearerToken: config.PROMETHEUS_BEARER_TOKEN,
    bearerTokenFile: config.PROMETHEUS_BEARER_TOKEN_FILE,
    basic:
      config.PROMETHEUS_USERNAME && config.PROMETHEUS_PASSWORD
        ? { username: config.PROMETHEUS_USERNAME, password: config.PROMETHEUS_PASSWORD }
        : undefined,
    ca: config.PROMETHEUS_CA_FILE ? fs.readFileSync(config.PROMETHEUS_CA_FILE, "utf8") : undefined,
  };
}

let shared: PrometheusGateway | null | undefined;

/** The app's gateway, or null when PROMETHEUS_URL is not configured. */
export function prometheus(): PrometheusGateway | null {
  if (shared === undefined) {
    // Read at the first call, as before: a test may point the app at its Prometheus first.
    const config = parseEnv(process.env);
    shared = config.PROMETHEUS_URL
      ? new PrometheusGateway(config.PROMETHEUS_URL, { auth: prometheusAuth(config) })
      : null;
  }
  return shared;
}
