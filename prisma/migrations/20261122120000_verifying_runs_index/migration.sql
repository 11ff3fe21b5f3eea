-- The sweeper looks for verification windows whose checks stopped, every few seconds on every
-- worker; only the few runs being verified are indexed.
CREATE INDEX "deployment_runs_verifying" ON "deployment_runs" ("updated_at") WHERE "verification" = 'VERIFYING';
