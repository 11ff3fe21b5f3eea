-- Indexes for the record's pages, chosen from EXPLAIN (ANALYZE, BUFFERS) on the scale data set
-- (npm run seed:scale: 100,000 runs, 20,000 incidents, 50,000 releases); docs/scale.md has the
-- plans and timings before and after.

-- History's delivery metrics and deploys per week read one environment's deploys finished in a
-- period: a bitmap range scan instead of a sequential scan of every run
-- (90 days: 6,036 of 100,000 runs; the weekly query 211 ms -> 38 ms).
CREATE INDEX "deployment_runs_environment_id_kind_finished_at_idx" ON "deployment_runs"("environment_id", "kind", "finished_at");

-- Partial indexes (Prisma's schema cannot describe them, so prisma/schema.prisma has no @@index
-- for these two and `prisma migrate diff` leaves them alone, like the partial unique indexes of
-- earlier migrations).

-- Open incidents: the overview's count and the incident list's default "open" view, newest first.
-- The count read all 20,000 entries of another index (2.4 ms) and now reads the open ones (0.1 ms).
CREATE INDEX "incidents_open_opened_at_id_idx" ON "incidents"("opened_at" DESC, "id" DESC) WHERE "status" <> 'RESOLVED';

-- What each service runs in each environment: the newest deployed release per target, one index
-- probe per target (3,000 probes: 52 ms, against a sort of 42,717 releases: 190 ms), once the
-- overview asks per target (docs/scale.md, "Overview").
CREATE INDEX "releases_deployed_per_target_idx" ON "releases"("service_id", "environment_id", "deployed_at" DESC NULLS LAST) WHERE "status" = 'DEPLOYED';
