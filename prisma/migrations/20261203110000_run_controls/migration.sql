-- A person's promote or abort is a request made to a run, recorded as such (not as a run).
CREATE TABLE "run_controls" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "requested_by_id" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "applied_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "run_controls_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "run_controls_run_id_idx" ON "run_controls"("run_id");

ALTER TABLE "run_controls" ADD CONSTRAINT "run_controls_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "deployment_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "run_controls" ADD CONSTRAINT "run_controls_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Earlier promotes and aborts were stored as succeeded runs of their own; they become controls.
INSERT INTO "run_controls" ("id", "run_id", "action", "requested_by_id", "requested_at", "applied_at", "outcome")
SELECT r."id", r."state"->>'targetRunId', lower(r."kind"::text), r."requested_by_id", r."created_at", target."finished_at", target."outcome"
  FROM "deployment_runs" r
  JOIN "deployment_runs" target ON target."id" = r."state"->>'targetRunId'
 WHERE r."kind" IN ('PROMOTE', 'ABORT') AND r."requested_by_id" IS NOT NULL;

DELETE FROM "deployment_runs" r
 WHERE r."kind" IN ('PROMOTE', 'ABORT')
   AND NOT EXISTS (SELECT 1 FROM "incident_events" e WHERE e."run_id" = r."id");
