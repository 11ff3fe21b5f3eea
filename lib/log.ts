import pino from "pino";

// JSON lines on stdout: what a log collector in the cluster expects. Level from LOG_LEVEL,
// read directly so logging works even while the configuration itself is being checked.
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "greenlight" },
  redact: { paths: ["password", "*.password", "passwordHash", "*.passwordHash", "secret", "*.secret"], remove: true },
});
