import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { expect, inject, it } from "vitest";
import { ensureDatabase } from "@/lib/db/embedded-postgres";
import { migrate, MIGRATIONS_DIR } from "@/lib/db/migrate";

const MIGRATION = "20261205100000_checklist_ticks_per_revision";

// Ticks given before ticks had a revision must keep counting: the migration binds each one to
// its release's revision at the time, so no release in flight loses its checklist.
it("binds the ticks that existed before to their release's current revision, and keeps the unticked open", async () => {
  const adminUrl = inject("adminUrl");
  const name = `greenlight_ticks_${randomBytes(6).toString("hex")}`;
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  // The database as it was just before this migration.
  const before = await fs.mkdtemp(path.join(os.tmpdir(), "migrations-"));
  const names = (await fs.readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && e.name < MIGRATION)
    .map((e) => e.name);
  for (const n of names) await fs.cp(path.join(MIGRATIONS_DIR, n), path.join(before, n), { recursive: true });
  await migrate(url.toString(), before);

  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`
      insert into users (id, email, name, updated_at) values ('u1', 'rm@example.com', 'Riley', now());
      insert into environments (id, name, display_name, position, updated_at) values ('e1', 'production', 'Production', 0, now());
      insert into services (id, name, display_name, updated_at) values ('s1', 'checkout', 'Checkout', now());
      insert into releases (id, service_id, environment_id, image_ref, image_repository, image_tag, strategy, change_summary, revision, created_by_id, updated_at)
        values ('r1', 's1', 'e1', 'checkout:1', 'checkout', '1', 'ROLLING', 'x', 3, 'u1', now());
      insert into checklist_items (id, release_id, label, required, position, checked_by_id, checked_at, evidence_url) values
        ('i1', 'r1', 'Backup taken', true, 0, 'u1', '2026-12-01T10:00:00Z', 'https://ci.example.com/1'),
        ('i2', 'r1', 'Soak test', true, 1, null, null, null);`);
    await migrate(url.toString());
    const ticks = await client.query(
      `select item_id, release_id, revision, checked_by_id, checked_at, evidence_url, withdrawn_at from checklist_ticks`,
    );
    expect(ticks.rows).toEqual([
      {
        item_id: "i1",
        release_id: "r1",
        revision: 3,
        checked_by_id: "u1",
        checked_at: new Date("2026-12-01T10:00:00Z"),
        evidence_url: "https://ci.example.com/1",
        withdrawn_at: null,
      },
    ]);
    const items = await client.query(`select id, evidence_required from checklist_items order by id`);
    expect(items.rows).toEqual([
      { id: "i1", evidence_required: false },
      { id: "i2", evidence_required: false },
    ]);
    // One live tick per item and revision, whoever races.
    await expect(
      client.query(
        `insert into checklist_ticks (id, item_id, release_id, revision, checked_by_id) values ('t2', 'i1', 'r1', 3, 'u1')`,
      ),
    ).rejects.toThrow(/checklist_ticks_one_live/);
  } finally {
    await client.end();
    await fs.rm(before, { recursive: true, force: true });
  }
}, 60_000);
