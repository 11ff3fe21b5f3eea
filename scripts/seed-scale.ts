/**
 * `npm run seed:scale`: the scale data set (scripts/lib/scale-seed.ts) in the database at
 * DATABASE_URL, or by default in an embedded PostgreSQL of its own in `.data/scale` (port
 * SCALE_PG_PORT, default 54339), migrated and given lib/seed's baseline and demo accounts
 * (password "greenlight") first. SCALE=0.001 seeds a thousandth (1 service, 100 runs). Prints how
 * long each table took. `npm run bench:pages` reads the same database.
 */
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { SCALE_DATA_DIR, SCALE_PG_PORT, seedScale } from "./lib/scale-seed";

const say = (line: string) => process.stdout.write(`[seed:scale] ${line}\n`);

async function main() {
  const scale = Number(process.env.SCALE ?? 1);
  let database: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    say(`embedded PostgreSQL in ${path.relative(process.cwd(), SCALE_DATA_DIR)} on port ${SCALE_PG_PORT}`);
    database = await startEmbeddedPostgres({
      dataDir: path.join(SCALE_DATA_DIR, "postgres"),
      port: SCALE_PG_PORT,
      database: "greenlight",
    });
    url = database.url;
    process.env.DATABASE_URL = url;
  }
  try {
    const started = performance.now();
    const migrations = await migrate(url);
    if (migrations.applied.length) say(`applied ${migrations.applied.length} migrations`);
    // Imported once DATABASE_URL is set: the client reads it when first used.
    const { getDb } = await import("@/lib/db");
    const { seed } = await import("@/lib/seed/seed");
    await seed(getDb(), { demo: true });
    await getDb().$disconnect();
    const result = await seedScale(url, { scale, log: say });
    if (result.seeded) say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await database?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(
    `[seed:scale] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
