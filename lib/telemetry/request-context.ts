import { AsyncLocalStorage } from "node:async_hooks";
import { trace } from "@opentelemetry/api";

/**
 * The request id every log line carries, so one click can be followed from the web server into
 * the job it queued and the cluster calls the worker made for it.
 *
 * In the web server it is the trace id of the request's span (Next opens one per request once
 * tracing is on, lib/telemetry/tracing.ts), so it needs no wrapper around each action or route;
 * a caller that sent a W3C `traceparent` keeps its own trace id. The answer carries it as
 * `x-request-id` (proxy.ts). A job carries the id of the request that queued it in its payload,
 * and the worker runs it inside `withRequestId`, where anything it queues in turn inherits it.
 */
const jobContext = new AsyncLocalStorage<string>();

export const REQUEST_ID_HEADER = "x-request-id";

const INVALID_TRACE_ID = "00000000000000000000000000000000";

/** The id of the request (or of the request behind the job) being served, if any. */
export function currentRequestId(): string | undefined {
  const fromJob = jobContext.getStore();
  if (fromJob) return fromJob;
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return traceId && traceId !== INVALID_TRACE_ID ? traceId : undefined;
}

/** Runs `work` as part of the request `requestId` (a job queued by it); without an id, as is. */
export function withRequestId<T>(requestId: string | undefined, work: () => T): T {
  return requestId ? jobContext.run(requestId, work) : work();
}

/** What a job payload may carry as its request id: what we generate, never free text for logs. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
