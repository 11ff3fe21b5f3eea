import pino from "pino";
import { currentRequestId } from "@/lib/telemetry/request-context";

// JSON lines on stdout: what a log collector in the cluster expects. Level from LOG_LEVEL,
// read directly so logging works even while the configuration itself is being checked.
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "greenlight" },
  // The request (or the request behind a job) each line was written for.
  mixin() {
    const requestId = currentRequestId();
    return requestId ? { requestId } : {};
  },
  redact: { paths: ["password", "*.password", "passwordHash", "*.passwordHash", "secret", "*.secret"], remove: true },
});
