-- The post-deployment checklist: per environment, follow-ups that come due after a deploy
-- (first hour, 4 hours, first day, first week); a succeeded deploy takes its own copy with due
-- times, people tick them with evidence, overdue ones are listed and sent to Slack once, and a
-- rollback or a newer deploy closes what is still open (lib/follow-ups).

CREATE TYPE "FollowUpDue" AS ENUM ('FIRST_HOUR', 'FOUR_HOURS', 'FIRST_DAY', 'FIRST_WEEK');

ALTER TABLE "environments" ADD COLUMN "follow_up_time_zone" TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE "follow_up_template_items" (
    "id" TEXT NOT NULL,
    "environment_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "due" "FollowUpDue" NOT NULL,
    "position" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_up_template_items_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "follow_up_template_items_environment_id_position_key" ON "follow_up_template_items"("environment_id", "position");

ALTER TABLE "follow_up_template_items" ADD CONSTRAINT "follow_up_template_items_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "follow_up_items" (
    "id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "release_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "due" "FollowUpDue" NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "position" INTEGER NOT NULL,
    "checked_by_id" TEXT,
    "checked_at" TIMESTAMPTZ(3),
    "evidence_url" TEXT,
    "note" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "closed_reason" TEXT,
    "overdue_notified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_up_items_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "follow_up_items_run_id_position_key" ON "follow_up_items"("run_id", "position");
CREATE INDEX "follow_up_items_release_id_idx" ON "follow_up_items"("release_id");
CREATE INDEX "follow_up_items_due_at_idx" ON "follow_up_items"("due_at");

ALTER TABLE "follow_up_items" ADD CONSTRAINT "follow_up_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "deployment_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "follow_up_items" ADD CONSTRAINT "follow_up_items_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "follow_up_items" ADD CONSTRAINT "follow_up_items_checked_by_id_fkey" FOREIGN KEY ("checked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

