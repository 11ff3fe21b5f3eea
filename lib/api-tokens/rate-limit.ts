import "server-only";
import { Pool } from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * Requests per API token per minute, counted in PostgreSQL (table api_token_limits, created by a
 * migration) so every replica of the web server shares one budget per token: the same
 * rate-limiter-flexible store and layout as the sign-in limits (lib/auth/rate-limit.ts).
 */
export const API_LIMIT_TABLE = "api_token_limits";
export const API_LIMIT_WINDOW_SECONDS = 60;

export type ApiAttempt = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export class ApiRateLimiter {
  private readonly limiter: RateLimiterPostgres;

  constructor(
    pool: Pool,
    readonly points: number,
  ) {
    this.limiter = new RateLimiterPostgres({
      storeClient: pool,
      storeType: "pool",
      tableName: API_LIMIT_TABLE,
      tableCreated: true,
      keyPrefix: "api-token",
      points,
      duration: API_LIMIT_WINDOW_SECONDS,
      clearExpiredByTimeout: true,
    });
  }

  async attempt(tokenId: string): Promise<ApiAttempt> {
    try {
      const res = await this.limiter.consume(tokenId);
      return { allowed: true, remaining: res.remainingPoints };
    } catch (error) {
      if (error instanceof RateLimiterRes)
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      throw error;
    }
  }
}

const globalForLimiter = globalThis as unknown as { greenlightApiLimiter?: ApiRateLimiter };

/** This process's limiter, on a small pool of its own to the app's database, as sign-ins have. */
export function apiRateLimiter(): ApiRateLimiter {
  if (!globalForLimiter.greenlightApiLimiter) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set.");
    const pool = new Pool({ connectionString, max: 2 });
    // An idle connection that breaks (a database restart) must not take the process down with it.
    pool.on("error", (error) => log.warn({ err: error }, "API rate limit pool: idle connection failed"));
    globalForLimiter.greenlightApiLimiter = new ApiRateLimiter(pool, env().API_RATE_LIMIT_PER_MINUTE);
  }
  return globalForLimiter.greenlightApiLimiter;
}
