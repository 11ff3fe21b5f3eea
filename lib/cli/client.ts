/**
 * The /api/v1 client the `greenlight` CLI (scripts/greenlight-cli.ts) drives CI pipelines with.
 * Plain fetch and no server imports, so the CLI starts fast and runs outside the app's
 * environment: all it needs is the app's URL and an API token.
 */

/** RFC 9457 problem details, as every /api/v1 error answers. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** A refusal or failure from the API, with the sentence the server wrote for people. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  /** Seconds the server asked us to wait (429's Retry-After), when it said. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: Problem | null, message: string, retryAfterSeconds: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ClientOptions {
  /** The app's URL, e.g. https://greenlight.example.com (a trailing slash is fine). */
  baseUrl: string;
  /** An API token, `glt_…`. */
  token: string;
  fetch?: typeof fetch;
  /** How long one request may take before it is abandoned (default 30 s). */
  timeoutMs?: number;
  /** How many times a 429 is waited out before giving up (default 5). */
  rateLimitRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

/** The one sentence to print for a failed request: the problem's detail, else its title. */
export function problemMessage(status: number, problem: Problem | null, bodyText: string): string {
  const detail = typeof problem?.detail === "string" && problem.detail.trim() ? problem.detail.trim() : null;
  const title = typeof problem?.title === "string" && problem.title.trim() ? problem.title.trim() : null;
  if (detail && title && !detail.startsWith(title)) return `${title}: ${detail} (HTTP ${status})`;
  if (detail ?? title) return `${detail ?? title} (HTTP ${status})`;
  const text = bodyText.trim().slice(0, 200);
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}

export class GreenlightClient {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly rateLimitRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new Error(`Not a URL: ${JSON.stringify(options.baseUrl)}. Set GREENLIGHT_URL to the app's address.`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new Error(`GREENLIGHT_URL must be http:// or https://, not ${url.protocol}`);
    if (!options.token.trim()) throw new Error("No API token: set GREENLIGHT_TOKEN (or pass --token).");
    this.baseUrl = url.toString().replace(/\/+$/, "");
    this.token = options.token.trim();
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.rateLimitRetries = options.rateLimitRetries ?? 5;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Sends one request; answers the parsed JSON body or throws ApiError. 429 is waited out. */
  async request<T = unknown>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const url = `${this.baseUrl}/api/v1${path}`;
      const response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/json, application/problem+json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      }).catch((error: unknown) => {
        // fetch says only "fetch failed"; the reason (refused, DNS, TLS, timeout) is its cause.
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        throw new Error(`Cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      if (response.ok) return parsed as T;
      const problem = parsed && typeof parsed === "object" ? (parsed as Problem) : null;
      const wait = retryAfterSeconds(response.headers.get("retry-after"));
      if (response.status === 429 && attempt < this.rateLimitRetries) {
        // Without a Retry-After, back off 1, 2, 4… seconds.
        await this.sleep(Math.min(60, wait ?? 2 ** attempt) * 1000);
        continue;
      }
      throw new ApiError(response.status, problem, problemMessage(response.status, problem, text), wait);
    }
  }
}
