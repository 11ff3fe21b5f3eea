/**
 * The one rule for demo sign-in (local accounts whose password, `greenlight`, is printed and
 * documented). `npm start`, `npm run dev`, the credentials provider, the password check and the
 * sign-in page all ask this function, so they cannot disagree.
 *
 * - GREENLIGHT_DEMO_LOGIN=false: off.
 * - GREENLIGHT_DEMO_LOGIN=true: on, wherever the app listens (an explicit choice; start-up warns
 *   when other machines can reach it).
 * - unset: on only while the web server listens on loopback (HOST), and outside production unless
 *   this is the zero-config `npm start` (embedded database, demo data): an app listening on
 *   loopback in production usually sits behind a reverse proxy, so loopback proves nothing there.
 *   An unknown HOST counts as reachable (`next dev` and `next start` listen on every interface).
 */
import type { Env } from "@/lib/env";
import { isLoopbackHost } from "@/lib/auth/loopback";

export interface DemoLoginContext {
  nodeEnv: "development" | "production" | "test";
  /** The address the web server listens on; undefined when unknown. */
  host: string | undefined;
  /** GREENLIGHT_DEMO_LOGIN, undefined when unset. */
  flag: boolean | undefined;
  /** The zero-config `npm start`: embedded PostgreSQL with the demo accounts seeded. */
  zeroConfig?: boolean;
}

export interface DemoLoginDecision {
  enabled: boolean;
  /** Why, in words for a start-up line or a log. */
  reason: string;
}

export function decideDemoLogin(context: DemoLoginContext): DemoLoginDecision {
  const { flag, host } = context;
  const where = host ? `HOST=${host}` : "HOST is not set (the server listens on every interface)";
  if (flag === false) return { enabled: false, reason: "GREENLIGHT_DEMO_LOGIN=false" };
  if (flag === true) {
    return isLoopbackHost(host)
      ? { enabled: true, reason: "GREENLIGHT_DEMO_LOGIN=true" }
      : {
          enabled: true,
          reason: `GREENLIGHT_DEMO_LOGIN=true, although ${where} lets other machines reach the well-known demo password`,
        };
  }
  if (!isLoopbackHost(host)) {
    return {
      enabled: false,
      reason: `${where} is reachable from other machines; set GREENLIGHT_DEMO_LOGIN=true to allow demo accounts anyway`,
    };
  }
  if (context.nodeEnv === "production" && !context.zeroConfig) {
    return {
      enabled: false,
      reason: "production without GREENLIGHT_DEMO_LOGIN=true (a reverse proxy may forward other machines to loopback)",
    };
  }
  return { enabled: true, reason: `${where} is reachable only from this machine` };
}

/** The rule applied to this process's configuration (the app server, or a test's). */
export function demoLoginEnabled(config: Pick<Env, "NODE_ENV" | "HOST" | "GREENLIGHT_DEMO_LOGIN">): boolean {
  return decideDemoLogin({ nodeEnv: config.NODE_ENV, host: config.HOST, flag: config.GREENLIGHT_DEMO_LOGIN }).enabled;
}
