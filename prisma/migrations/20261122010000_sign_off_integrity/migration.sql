-- One live sign-off per release revision and role: two people racing for the same role, exactly
-- one wins. Withdrawn sign-offs stay for the record and do not count.
CREATE UNIQUE INDEX "approvals_one_per_role" ON "approvals" ("release_id", "revision", "role") WHERE "withdrawn_at" IS NULL;

-- One person signs a revision once, for one role, even if they hold several roles.
CREATE UNIQUE INDEX "approvals_one_per_person" ON "approvals" ("release_id", "revision", "user_id") WHERE "withdrawn_at" IS NULL;

-- The "waiting for me" view asks for pending releases per environment.
CREATE INDEX "releases_pending" ON "releases" ("environment_id", "created_at" DESC) WHERE "status" IN ('PENDING', 'APPROVED');
