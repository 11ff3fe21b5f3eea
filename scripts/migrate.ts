/**
 * The migration Job of a Kubernetes installation (deploy/kubernetes/base/migrate-job.yaml), run
 * before an upgrade as the role that owns the schema: applies the committed migrations and the
 * job queue's, seeds what every installation needs once, and grants the app's own role
 * (APP_DATABASE_ROLE) exactly the data privileges it uses. The app's role owns nothing, so it
 * cannot drop the audit log's append-only trigger.
 */
import { migrate } from "@/lib/db/migrate";
import { migrateJobQueue } from "@/lib/jobs/worker";
import { parseEnv } from "@/lib/env";
import { seed } from "@/lib/seed/seed";

const config = parseEnv(process.env);
const url = config.DATABASE_URL;
if (!url) {
  process.stderr.write("DATABASE_URL (the owning role's) is required\n");
  process.exit(1);
}
const appRole = process.env.APP_DATABASE_ROLE;
if (appRole !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(appRole)) {
  process.stderr.write("APP_DATABASE_ROLE must be a plain lower-case PostgreSQL role name\n");
  process.exit(1);
}

const result = await migrate(url);
process.stdout.write(`migrations applied: ${result.applied.join(", ") || "none (up to date)"}\n`);
await migrateJobQueue(url);
const { getDb } = await import("@/lib/db");
const db = getDb();
const seeded = await seed(db, { demo: false });
process.stdout.write(`seeded: ${JSON.stringify(seeded)}\n`);
if (appRole) {
  // Data, not schema: no CREATE, no ALTER, no TRIGGER; the audit log keeps its own trigger's rules.
  for (const statement of [
    `GRANT USAGE ON SCHEMA public, graphile_worker TO ${appRole}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${appRole}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${appRole}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO ${appRole}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA graphile_worker TO ${appRole}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO ${appRole}`,
  ])
    await db.$executeRawUnsafe(statement);
  // graphile-worker turns row-level security on for its private tables with no policy, so only
  // their owner can use them; the app's role gets a policy of its own on each.
  const guarded = await db.$queryRaw<{ name: string }[]>`
    select c.relname::text as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'graphile_worker' and c.relkind = 'r' and c.relrowsecurity`;
  for (const { name } of guarded) {
    const table = `graphile_worker."${name}"`;
    await db.$executeRawUnsafe(`DROP POLICY IF EXISTS greenlight_app ON ${table}`);
    await db.$executeRawUnsafe(`CREATE POLICY greenlight_app ON ${table} TO ${appRole} USING (true) WITH CHECK (true)`);
  }
  process.stdout.write(`granted ${appRole} the app's data privileges\n`);
}
await db.$disconnect();
