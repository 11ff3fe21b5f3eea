import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

// The advisory lock key Prisma Migrate itself takes, so this runner, `prisma migrate` and
// several app replicas starting at once never apply a migration twice.
const PRISMA_MIGRATE_LOCK = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/**
 * Applies the committed migrations in `prisma/migrations` that the database has not seen, each
 * in its own transaction, recording them in Prisma's `_prisma_migrations` table so the Prisma
 * CLI (`migrate status`, `migrate diff --from-migrations`) sees the same history. Prisma's own
 * `migrate deploy` works too; this runner exists because the CLI lingers ~10 s per run here
 * (README, "Database").
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(`
      create table if not exists "_prisma_migrations" (
        "id" varchar(36) primary key not null,
        "checksum" varchar(64) not null,
        "finished_at" timestamptz,
        "migration_name" varchar(255) not null,
        "logs" text,
        "rolled_back_at" timestamptz,
        "started_at" timestamptz not null default now(),
        "applied_steps_count" integer not null default 0
      )`);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      `select migration_name, checksum from "_prisma_migrations" where finished_at is not null and rolled_back_at is null`,
    );
    const applied = new Map(done.rows.map((r) => [r.migration_name, r.checksum]));
    const failed = await client.query<{ migration_name: string }>(
      `select migration_name from "_prisma_migrations" where finished_at is null and rolled_back_at is null`,
    );
    if (failed.rowCount) {
      throw new Error(
        `Migration ${failed.rows[0].migration_name} failed earlier and was never resolved; ` +
          `fix the database, then mark it with \`prisma migrate resolve\`.`,
      );
    }

    const result: MigrationResult = { applied: [], alreadyApplied: 0 };
    for (const migration of migrations) {
      const recorded = applied.get(migration.name);
      if (recorded) {
        if (recorded !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was edited after it was applied; add a new migration instead.`);
        }
        result.alreadyApplied += 1;
        continue;
      }
      await client.query("begin");
      try {
        await client.query(migration.sql);
        await client.query(
          `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           values ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw new Error(
          `Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.end();
  }
}

/** The names of committed migrations the database has not applied; empty when up to date. */
export async function pendingMigrations(client: pg.ClientBase, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const exists = await client.query(`select to_regclass('"_prisma_migrations"') as t`);
  if (!exists.rows[0]?.t) return migrations.map((m) => m.name);
  const done = await client.query<{ migration_name: string }>(
    `select migration_name from "_prisma_migrations" where finished_at is not null and rolled_back_at is null`,
  );
  const applied = new Set(done.rows.map((r) => r.migration_name));
  return migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
