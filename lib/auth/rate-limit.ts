import "server-only";
import { Pool } from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { log } from "@/lib/log";

/**
 * Failed sign-in limits, counted in PostgreSQL (table sign_in_limits, created by a migration) so
 * every replica sees the same counts. Three budgets per window of 15 minutes:
 *
 * - an account from one address: 5 failures, then that address waits for that account. Keyed by
 *   both, so somebody else's failures from another address never lock a person out;
 * - one address, whatever the account: 20 failures (trying many accounts from one place);
 * - one account, whatever the address: 50 failures. A backstop for guesses spread over many
 *   addresses (or a forged X-Forwarded-For); it can lock the account for everyone until the
 *   window ends, the price of not letting such guessing go on.
 *
 * Each attempt takes its point before the password is checked, so concurrent guesses all count
 * and a locked-out attempt never reaches bcrypt; a successful sign-in gives its points back and
 * clears its account-and-address count, so in effect only failures are counted.
 */

export const SIGN_IN_WINDOW_SECONDS = 15 * 60;
export const SIGN_IN_LIMITS = { accountAndAddress: 5, address: 20, account: 50 } as const;
export const SIGN_IN_LIMITS_TABLE = "sign_in_limits";

/** `firstRefusal`: this attempt is the one that went over the limit (later ones are not audited). */
export type SignInAttempt = { allowed: true } | { allowed: false; retryAfterMs: number; firstRefusal: boolean };

export class SignInLimiter {
  private readonly accountAndAddress: RateLimiterPostgres;
  private readonly address: RateLimiterPostgres;
  private readonly account: RateLimiterPostgres;

  constructor(pool: Pool) {
    const common = {
      storeClient: pool,
      storeType: "pool",
      tableName: SIGN_IN_LIMITS_TABLE,
      tableCreated: true,
      duration: SIGN_IN_WINDOW_SECONDS,
    };
    this.accountAndAddress = new RateLimiterPostgres({
      ...common,
      keyPrefix: "account+address",
      points: SIGN_IN_LIMITS.accountAndAddress,
      // One of the three deletes expired rows (every 5 minutes), for the whole table.
      clearExpiredByTimeout: true,
    });
    this.address = new RateLimiterPostgres({
      ...common,
      keyPrefix: "address",
      points: SIGN_IN_LIMITS.address,
      clearExpiredByTimeout: false,
    });
    this.account = new RateLimiterPostgres({
      ...common,
      keyPrefix: "account",
      points: SIGN_IN_LIMITS.account,
      clearExpiredByTimeout: false,
    });
  }

  private budgets(email: string, address: string): [RateLimiterPostgres, string][] {
    const account = email.trim().toLowerCase();
    return [
      [this.accountAndAddress, `${account}|${address}`],
      [this.address, address],
      [this.account, account],
    ];
  }

  /**
   * Takes one point from each budget, in order, and stops at the first exhausted one: a locked
   * pair keeps counting only itself, so hammering one account from one address cannot use up the
   * account's budget for everyone else.
   */
  async attempt(email: string, address: string): Promise<SignInAttempt> {
    for (const [limiter, key] of this.budgets(email, address)) {
      try {
        await limiter.consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes)
          return {
            allowed: false,
            retryAfterMs: error.msBeforeNext,
            firstRefusal: error.consumedPoints === limiter.points + 1,
          };
        throw error;
      }
    }
    return { allowed: true };
  }

  /** After a correct password: the attempt's points back, and this pair's failures forgotten. */
  async succeeded(email: string, address: string): Promise<void> {
    const [[pair, pairKey], ...others] = this.budgets(email, address);
    await Promise.all([pair.delete(pairKey), ...others.map(([limiter, key]) => limiter.reward(key, 1))]);
  }
}

const globalForLimiter = globalThis as unknown as { greenlightSignInLimiter?: SignInLimiter };

/**
 * This process's limiter, on a small pool of its own to the app's database (DATABASE_URL, as
 * lib/db.ts): rate-limiter-flexible speaks to pg directly, and sign-ins are rare.
 */
export function signInLimiter(): SignInLimiter {
  if (!globalForLimiter.greenlightSignInLimiter) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set.");
    const pool = new Pool({ connectionString, max: 2 });
    // An idle connection that breaks (a database restart) must not take the process down with it.
    pool.on("error", (error) => log.warn({ err: error }, "sign-in limit pool: idle connection failed"));
    globalForLimiter.greenlightSignInLimiter = new SignInLimiter(pool);
  }
  return globalForLimiter.greenlightSignInLimiter;
}
