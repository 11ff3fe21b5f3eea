/**
 * Runs once when the server starts: the configuration is checked before the first request, so
 * a bad variable stops `next start` with a message naming it (as `npm start` does), not a
 * failing page later.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigOrExit } = await import("@/lib/runtime/check-config");
    checkConfigOrExit();
    // Next's request spans give each request its id (in the logs, `x-request-id`) and the
    // duration metrics by route.
    const { startTracing } = await import("@/lib/telemetry/tracing");
    startTracing();
  }
}
