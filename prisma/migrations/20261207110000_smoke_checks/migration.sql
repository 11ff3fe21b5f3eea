-- Smoke checks: per service target, HTTP checks run against the new version's pods through the
-- API server's pod proxy before traffic moves, and again after (lib/deploy/smoke). A header's
-- secret value is referenced by the name of an environment variable of the worker, never stored.

CREATE TYPE "SmokeCheckMethod" AS ENUM ('GET', 'HEAD', 'POST');

CREATE TABLE "smoke_checks" (
    "id" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "method" "SmokeCheckMethod" NOT NULL DEFAULT 'GET',
    "path" TEXT NOT NULL,
    "expected_status" INTEGER NOT NULL DEFAULT 200,
    "body_contains" TEXT,
    "json_field" TEXT,
    "json_equals" TEXT,
    "timeout_ms" INTEGER NOT NULL DEFAULT 5000,
    "header_name" TEXT,
    "header_secret_env" TEXT,
    "position" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "smoke_checks_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "smoke_checks_target_id_position_key" ON "smoke_checks"("target_id", "position");

ALTER TABLE "smoke_checks" ADD CONSTRAINT "smoke_checks_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "service_targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
