import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { currentRequestId, withRequestId } from "@/lib/telemetry/request-context";
import { telemetry } from "@/lib/telemetry/metrics";
import { requestSample, startTracing } from "@/lib/telemetry/tracing";

const span = (
  attributes: Record<string, string | number | boolean>,
  duration: [number, number] = [0, 250_000_000],
) => ({
  attributes,
  duration,
});

describe("requestSample", () => {
  it.each([
    [
      "a page by its route pattern",
      {
        "next.span_type": "BaseServer.handleRequest",
        "http.method": "GET",
        "http.status_code": 200,
        "http.route": "/releases/[id]",
      },
      { method: "GET", route: "/releases/[id]", status: "200", seconds: 0.25 },
    ],
    [
      "a request no route matched",
      { "next.span_type": "BaseServer.handleRequest", "http.method": "GET", "http.status_code": 404 },
      { method: "GET", route: "unmatched", status: "404", seconds: 0.25 },
    ],
    [
      "a server error keeps its status",
      {
        "next.span_type": "BaseServer.handleRequest",
        "http.method": "POST",
        "http.status_code": 500,
        "http.route": "/api/v1/releases",
      },
      { method: "POST", route: "/api/v1/releases", status: "500", seconds: 0.25 },
    ],
    [
      "another of Next's spans",
      { "next.span_type": "AppRender.getBodyResult", "http.method": "GET", "http.status_code": 200 },
      null,
    ],
    [
      "a request span that never got a status",
      { "next.span_type": "BaseServer.handleRequest", "http.method": "GET" },
      null,
    ],
  ])("%s", (_, attributes, expected) => {
    expect(requestSample(span(attributes))).toEqual(expected);
  });

  it("adds seconds and nanoseconds", () => {
    const sample = requestSample(
      span(
        { "next.span_type": "BaseServer.handleRequest", "http.method": "GET", "http.status_code": 200 },
        [2, 500_000_000],
      ),
    );
    expect(sample?.seconds).toBe(2.5);
  });
});

describe("request ids", () => {
  startTracing();
  const tracer = trace.getTracer("test");

  it("is the trace id of the active request span, and nothing outside one", () => {
    expect(currentRequestId()).toBeUndefined();
    tracer.startActiveSpan("request", (s) => {
      expect(currentRequestId()).toBe(s.spanContext().traceId);
      expect(currentRequestId()).toMatch(/^[0-9a-f]{32}$/);
      s.end();
    });
  });

  it("follows a job's request across awaits, ahead of any span", async () => {
    await withRequestId("req-from-the-click", async () => {
      await new Promise((r) => setTimeout(r, 5));
      expect(currentRequestId()).toBe("req-from-the-click");
      tracer.startActiveSpan("inside", (s) => {
        expect(currentRequestId()).toBe("req-from-the-click");
        s.end();
      });
    });
    expect(currentRequestId()).toBeUndefined();
  });

  it("feeds the request duration histogram from ended request spans", async () => {
    tracer
      .startSpan("GET", {
        attributes: { "next.span_type": "BaseServer.handleRequest", "http.method": "GET", "http.route": "/unit-test" },
      })
      .setAttribute("http.status_code", 200)
      .end();
    const text = await telemetry().registry.metrics();
    expect(text).toMatch(
      /greenlight_http_request_duration_seconds_count\{method="GET",route="\/unit-test",status="200"\} 1/,
    );
  });
});
