import pg from "pg";
import { pendingMigrations } from "@/lib/db/migrate";

export interface Readiness {
  ready: boolean;
  database: "ok" | "unreachable";
  migrations: { pending: string[] } | null;
  error?: string;
}

/** Ready when the database answers and every committed migration is applied. */
export async function checkReadiness(databaseUrl: string | undefined): Promise<Readiness> {
  if (!databaseUrl)
    return { ready: false, database: "unreachable", migrations: null, error: "DATABASE_URL is not set" };
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch {
    await client.end().catch(() => {});
    return { ready: false, database: "unreachable", migrations: null, error: "database did not answer" };
  }
  try {
    const pending = await pendingMigrations(client);
    return { ready: pending.length === 0, database: "ok", migrations: { pending } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ready: false,
      database: "ok",
      migrations: null,
      error: code === "ENOENT" ? "prisma/migrations is missing from this deployment" : "could not compare migrations",
    };
  } finally {
    await client.end().catch(() => {});
  }
}
