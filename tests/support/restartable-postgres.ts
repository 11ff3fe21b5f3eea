import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";

export interface RestartablePostgres {
  url: string;
  /** A fast shutdown: every connection is cut, as when PostgreSQL restarts or fails over. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * An embedded PostgreSQL of a test file's own, migrated, so the file can stop and start it
 * mid-run without disturbing the other files (they share the integration run's server).
 */
export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "greenlight-faults-pg-"));
  await fs.chmod(dir, 0o755);
  const options = { dataDir: path.join(dir, "pg"), port: await freePort(), database: "greenlight" };
  let server: EmbeddedDatabase | undefined = await startEmbeddedPostgres(options);
  const url = server.url;
  await migrate(url);
  return {
    url,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server ??= await startEmbeddedPostgres(options);
    },
    async dispose() {
      await server?.stop();
      server = undefined;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
