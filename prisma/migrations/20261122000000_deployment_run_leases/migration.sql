-- AlterTable
ALTER TABLE "deployment_runs" ADD COLUMN     "lease_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "lease_owner" TEXT,
ADD COLUMN     "control_request" TEXT;

-- At most one active run per service and environment, whoever asks (a double click, two tabs,
-- two app replicas): the second insert fails and the app answers "a run is already in
-- progress". Promote and abort act on the active run and are not counted. Prisma's schema
-- language cannot express a partial index; its diff leaves this one alone.
CREATE UNIQUE INDEX "deployment_runs_one_active_per_target"
  ON "deployment_runs" ("service_id", "environment_id")
  WHERE "status" IN ('QUEUED', 'RUNNING', 'PAUSED') AND "kind" IN ('DEPLOY', 'ROLLBACK');

-- The sweeper looks for runs whose worker stopped renewing its lease.
CREATE INDEX "deployment_runs_lease" ON "deployment_runs" ("lease_expires_at") WHERE "status" IN ('QUEUED', 'RUNNING');
