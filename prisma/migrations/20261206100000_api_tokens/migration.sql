-- API tokens for the /api/v1 REST API (lib/api-tokens). Only the SHA-256 of a token's secret is
-- stored; the secret itself is shown once. Scopes are permission names from lib/rbac.ts and
-- environment_ids an optional restriction (empty: every environment).

CREATE TYPE "ApiTokenKind" AS ENUM ('PERSONAL', 'SERVICE');

CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ApiTokenKind" NOT NULL DEFAULT 'PERSONAL',
    "owner_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "scopes" TEXT[],
    "environment_ids" TEXT[],
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

CREATE INDEX "api_tokens_owner_id_created_at_idx" ON "api_tokens"("owner_id", "created_at" DESC);

ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Requests per token for the API's rate limit (lib/api-tokens/rate-limit.ts): the layout of
-- rate-limiter-flexible's RateLimiterPostgres table, created here so the app never runs DDL
-- (tableCreated), as sign_in_limits is.
CREATE TABLE "api_token_limits" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "api_token_limits_pkey" PRIMARY KEY ("key")
);

CREATE INDEX "api_token_limits_expire_idx" ON "api_token_limits"("expire");
