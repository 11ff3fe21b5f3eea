-- Failed sign-in counters (lib/auth/rate-limit.ts), kept in PostgreSQL so every replica sees the
-- same counts. The layout is rate-limiter-flexible's RateLimiterPostgres table (key, points,
-- expire in epoch milliseconds), created here so the app never runs DDL itself (tableCreated).
-- The key is text, not the library's varchar(255): it holds an email and an address.

CREATE TABLE "sign_in_limits" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "sign_in_limits_pkey" PRIMARY KEY ("key")
);

-- The limiter deletes expired rows every five minutes.
CREATE INDEX "sign_in_limits_expire_idx" ON "sign_in_limits"("expire");
