/**
 * Runs once when the server starts: the configuration is checked before the first request, so
 * a bad variable stops `next start` with a message naming it (as `npm start` does), not a
 * failing page later.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, EnvError } = await import("@/lib/env");
  try {
    const config = env();
    // next-auth reads NEXTAUTH_URL; Greenlight's documented name is APP_URL.
    if (config.APP_URL) process.env.NEXTAUTH_URL ??= config.APP_URL;
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
