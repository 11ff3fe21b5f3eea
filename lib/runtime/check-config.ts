import { env, EnvError } from "@/lib/env";

/** Called once at server start (instrumentation.ts): a bad variable stops the server. */
export function checkConfigOrExit(): void {
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
