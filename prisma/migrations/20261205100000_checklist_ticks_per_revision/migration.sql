-- Checklist ticks bind to a revision, like sign-offs: an edit voids them (they stay as history)
-- and the gate counts only the current revision's. Items may require evidence with their tick.

ALTER TABLE "checklist_template_items" ADD COLUMN "evidence_required" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "checklist_items" ADD COLUMN "evidence_required" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "checklist_ticks" (
    "id" TEXT NOT NULL,
    "item_id" TEXT NOT NULL,
    "release_id" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "checked_by_id" TEXT NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "evidence_url" TEXT,
    "withdrawn_at" TIMESTAMPTZ(3),

    CONSTRAINT "checklist_ticks_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "checklist_ticks_release_id_revision_idx" ON "checklist_ticks"("release_id", "revision");
CREATE INDEX "checklist_ticks_item_id_idx" ON "checklist_ticks"("item_id");

-- One live tick per item and revision: two people ticking at once, exactly one lands.
CREATE UNIQUE INDEX "checklist_ticks_one_live" ON "checklist_ticks" ("item_id", "revision") WHERE "withdrawn_at" IS NULL;

ALTER TABLE "checklist_ticks" ADD CONSTRAINT "checklist_ticks_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "checklist_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "checklist_ticks" ADD CONSTRAINT "checklist_ticks_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "checklist_ticks" ADD CONSTRAINT "checklist_ticks_checked_by_id_fkey" FOREIGN KEY ("checked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Existing ticks had no revision: they bind to their release's current revision, so the gate
-- and the page read them as they did before.
INSERT INTO "checklist_ticks" ("id", "item_id", "release_id", "revision", "checked_by_id", "checked_at", "evidence_url")
SELECT 'tick_' || "i"."id", "i"."id", "i"."release_id", "r"."revision", "i"."checked_by_id", "i"."checked_at", "i"."evidence_url"
  FROM "checklist_items" "i"
  JOIN "releases" "r" ON "r"."id" = "i"."release_id"
 WHERE "i"."checked_at" IS NOT NULL AND "i"."checked_by_id" IS NOT NULL;

ALTER TABLE "checklist_items" DROP CONSTRAINT "checklist_items_checked_by_id_fkey";
ALTER TABLE "checklist_items" DROP COLUMN "checked_at",
DROP COLUMN "checked_by_id",
DROP COLUMN "evidence_url";
