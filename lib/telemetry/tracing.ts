import {
  AlwaysOnSampler,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { telemetry } from "@/lib/telemetry/metrics";

/** The span Next opens around each request it serves (BaseServerSpan.handleRequest). */
const REQUEST_SPAN = "BaseServer.handleRequest";

export interface RequestSample {
  method: string;
  route: string;
  status: string;
  seconds: number;
}

/**
 * A request's duration from Next's own span, or null for any other span. The route is Next's
 * pattern ("/releases/[id]"), never the URL, so the metric's series stay few; a request no route
 * matched is "unmatched". Next's first pass through the proxy (before it routes) ends without a
 * route or status of its own and is not a request of its own either.
 */
export function requestSample(span: Pick<ReadableSpan, "attributes" | "duration">): RequestSample | null {
  const a = span.attributes;
  if (a["next.span_type"] !== REQUEST_SPAN) return null;
  const status = a["http.status_code"];
  const method = a["http.method"];
  if (typeof status !== "number" || typeof method !== "string") return null;
  const route = typeof a["http.route"] === "string" ? a["http.route"] : "unmatched";
  return { method, route, status: String(status), seconds: span.duration[0] + span.duration[1] / 1e9 };
}

/** Feeds greenlight_http_request_duration_seconds from the request spans; exports nothing. */
export class RequestMetricsProcessor implements SpanProcessor {
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    const sample = requestSample(span);
    if (sample)
      telemetry().httpRequestDuration.observe(
        { method: sample.method, route: sample.route, status: sample.status },
        sample.seconds,
      );
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const KEY = Symbol.for("greenlight.tracing");

/**
 * Turns on OpenTelemetry in the web server (instrumentation.ts), once: Next then opens a span per
 * request, which gives each request its id (lib/telemetry/request-context.ts) and its duration by
 * route. Every span is sampled (a caller's `traceparent` with sampling off must not hide its
 * request from the metrics); none is exported.
 */
export function startTracing(): void {
  const holder = globalThis as { [KEY]?: NodeTracerProvider };
  if (holder[KEY]) return;
  const provider = new NodeTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new RequestMetricsProcessor()],
  });
  provider.register();
  holder[KEY] = provider;
}
