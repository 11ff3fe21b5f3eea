-- Four eyes on the gate: a change that weakens it (approval off, a looser setting, a required
-- checklist item or a freeze removed, an approver or admin role granted, a gate override) is
-- stored pending and takes effect when a second admin confirms it (lib/gate-changes).

CREATE TYPE "GateChangeKind" AS ENUM ('ENVIRONMENT_SETTINGS', 'CHECKLIST_ITEM_REMOVE', 'FREEZE_REMOVE', 'ROLE_GRANT', 'GATE_OVERRIDE');

CREATE TYPE "GateChangeStatus" AS ENUM ('PENDING', 'CONFIRMED', 'DECLINED', 'EXPIRED');

CREATE TABLE "gate_changes" (
    "id" TEXT NOT NULL,
    "kind" "GateChangeKind" NOT NULL,
    "status" "GateChangeStatus" NOT NULL DEFAULT 'PENDING',
    "key" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "requested_by_id" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_by_id" TEXT,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "gate_changes_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "gate_changes_status_requested_at_idx" ON "gate_changes"("status", "requested_at");

ALTER TABLE "gate_changes" ADD CONSTRAINT "gate_changes_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "gate_changes" ADD CONSTRAINT "gate_changes_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One pending change per thing changed, so two admins' requests cannot race each other (partial:
-- Prisma's schema cannot describe it, and `prisma migrate diff` leaves it alone).
CREATE UNIQUE INDEX "gate_changes_pending_key" ON "gate_changes"("key") WHERE "status" = 'PENDING';

-- A decided change is history: neither the decision nor the change can be rewritten.
CREATE FUNCTION gate_changes_decided_is_final() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'PENDING' THEN
    RAISE EXCEPTION 'gate change % was already decided (%)', OLD.id, OLD.status;
  END IF;
  IF NEW.payload IS DISTINCT FROM OLD.payload OR NEW.requested_by_id IS DISTINCT FROM OLD.requested_by_id THEN
    RAISE EXCEPTION 'a gate change request cannot be rewritten';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER gate_changes_decided_is_final BEFORE UPDATE ON "gate_changes"
  FOR EACH ROW EXECUTE FUNCTION gate_changes_decided_is_final();
