-- The record (issue 11): incidents worked through the procedure's statuses and 8 steps, linked
-- runs, Alertmanager alerts, postmortem action items; commit times on releases; alert matchers
-- per target; the deployment log's ordering index.

-- Incident statuses follow the procedure. Acknowledging is recorded by acknowledged_at, not a
-- status: OPEN and ACKNOWLEDGED become INVESTIGATING, MITIGATED becomes MONITORING.
CREATE TYPE "IncidentStatus_new" AS ENUM ('INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED');
ALTER TABLE "incidents" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "incidents" ALTER COLUMN "status" TYPE "IncidentStatus_new" USING (
  CASE "status"::text
    WHEN 'OPEN' THEN 'INVESTIGATING'
    WHEN 'ACKNOWLEDGED' THEN 'INVESTIGATING'
    WHEN 'MITIGATED' THEN 'MONITORING'
    ELSE "status"::text
  END
)::"IncidentStatus_new";
DROP TYPE "IncidentStatus";
ALTER TYPE "IncidentStatus_new" RENAME TO "IncidentStatus";
ALTER TABLE "incidents" ALTER COLUMN "status" SET DEFAULT 'INVESTIGATING';

CREATE TYPE "IncidentStep" AS ENUM ('DETECT', 'ACKNOWLEDGE', 'ASSESS', 'COMMUNICATE', 'REMEDIATE', 'VERIFY', 'DOCUMENT', 'REVIEW');
CREATE TYPE "AlertState" AS ENUM ('FIRING', 'RESOLVED');

ALTER TYPE "IncidentEventKind" ADD VALUE 'ALERT_RESOLVED';
ALTER TYPE "IncidentEventKind" ADD VALUE 'SLI_BREACH';
ALTER TYPE "IncidentEventKind" ADD VALUE 'STATUS_CHANGE';
ALTER TYPE "IncidentEventKind" ADD VALUE 'SEVERITY_CHANGE';
ALTER TYPE "IncidentEventKind" ADD VALUE 'COMMANDER_CHANGE';
ALTER TYPE "IncidentEventKind" ADD VALUE 'LINK';

-- The Alertmanager group key gives way to incident_alerts (idempotent by fingerprint).
DROP INDEX IF EXISTS "incidents_external_key_key";
ALTER TABLE "incidents" DROP COLUMN "external_key";
ALTER TABLE "incidents" RENAME COLUMN "mitigated_at" TO "restored_at";
ALTER TABLE "incidents"
  ADD COLUMN "release_id" TEXT,
  ADD COLUMN "commander_id" TEXT,
  ADD COLUMN "acknowledged_by_id" TEXT,
  ADD COLUMN "resolved_by_id" TEXT,
  ADD COLUMN "resolution" TEXT,
  ADD COLUMN "impact" TEXT,
  ADD COLUMN "root_cause" TEXT,
  ADD COLUMN "went_well" TEXT;
-- A resolved incident was restored by the time it was resolved at the latest.
UPDATE "incidents" SET "restored_at" = "resolved_at" WHERE "restored_at" IS NULL AND "resolved_at" IS NOT NULL;

ALTER TABLE "incidents" ADD CONSTRAINT "incidents_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_commander_id_fkey" FOREIGN KEY ("commander_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_resolved_by_id_fkey" FOREIGN KEY ("resolved_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "incidents_opened_at_id_idx" ON "incidents"("opened_at" DESC, "id" DESC);
CREATE INDEX "incidents_service_id_environment_id_status_idx" ON "incidents"("service_id", "environment_id", "status");

CREATE TABLE "incident_alerts" (
    "id" TEXT NOT NULL,
    "incident_id" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "alertname" TEXT NOT NULL,
    "state" "AlertState" NOT NULL,
    "labels" JSONB NOT NULL,
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "generator_url" TEXT,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "notifications" INTEGER NOT NULL DEFAULT 1,
    "last_notified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_alerts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "incident_alerts_incident_id_fingerprint_key" ON "incident_alerts"("incident_id", "fingerprint");
CREATE INDEX "incident_alerts_fingerprint_created_at_idx" ON "incident_alerts"("fingerprint", "created_at" DESC);
ALTER TABLE "incident_alerts" ADD CONSTRAINT "incident_alerts_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Timeline entries carry their procedure step, structured detail and the alert they came from.
ALTER TABLE "incident_events"
  ADD COLUMN "step" "IncidentStep",
  ADD COLUMN "data" JSONB,
  ADD COLUMN "alert_id" TEXT;
UPDATE "incident_events" SET "step" = CASE "kind"::text
    WHEN 'DETECT' THEN 'DETECT'
    WHEN 'ACKNOWLEDGE' THEN 'ACKNOWLEDGE'
    WHEN 'ASSESS' THEN 'ASSESS'
    WHEN 'COMMUNICATE' THEN 'COMMUNICATE'
    WHEN 'VERIFY' THEN 'VERIFY'
    WHEN 'DOCUMENT' THEN 'DOCUMENT'
    WHEN 'REVIEW' THEN 'REVIEW'
    WHEN 'ALERT' THEN 'DETECT'
    WHEN 'NOTE' THEN 'COMMUNICATE'
    ELSE 'REMEDIATE'
  END::"IncidentStep";
ALTER TABLE "incident_events" ALTER COLUMN "step" SET NOT NULL;
CREATE INDEX "incident_events_run_id_idx" ON "incident_events"("run_id");
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "incident_alerts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "incident_runs" (
    "incident_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "linked_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "incident_runs_pkey" PRIMARY KEY ("incident_id", "run_id")
);
CREATE INDEX "incident_runs_run_id_idx" ON "incident_runs"("run_id");
ALTER TABLE "incident_runs" ADD CONSTRAINT "incident_runs_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "incident_runs" ADD CONSTRAINT "incident_runs_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "deployment_runs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "incident_runs" ADD CONSTRAINT "incident_runs_linked_by_id_fkey" FOREIGN KEY ("linked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- Runs already named on a timeline are linked: the deploy whose breach opened it is the cause.
INSERT INTO "incident_runs" ("incident_id", "run_id", "relation")
SELECT DISTINCT ON (e."incident_id", e."run_id") e."incident_id", e."run_id",
       CASE WHEN e."kind" = 'DETECT' THEN 'cause' ELSE 'remedy' END
  FROM "incident_events" e
 WHERE e."run_id" IS NOT NULL
 ORDER BY e."incident_id", e."run_id", e."created_at";

CREATE TABLE "postmortem_action_items" (
    "id" TEXT NOT NULL,
    "incident_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "created_by_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "postmortem_action_items_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "postmortem_action_items_incident_id_idx" ON "postmortem_action_items"("incident_id");
ALTER TABLE "postmortem_action_items" ADD CONSTRAINT "postmortem_action_items_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incidents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "postmortem_action_items" ADD CONSTRAINT "postmortem_action_items_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "postmortem_action_items" ADD CONSTRAINT "postmortem_action_items_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "releases" ADD COLUMN "commit_sha" TEXT, ADD COLUMN "committed_at" TIMESTAMPTZ(3);
ALTER TABLE "service_targets" ADD COLUMN "alert_matchers" JSONB NOT NULL DEFAULT '{}';
CREATE INDEX "deployment_runs_created_at_id_idx" ON "deployment_runs"("created_at" DESC, "id" DESC);
