import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDatabase, freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

export const TEMPLATE_DATABASE = "greenlight_template";

/**
 * One embedded PostgreSQL for the integration run, in a fresh temporary folder, with a migrated
 * template database; each test file clones it (CREATE DATABASE … TEMPLATE takes milliseconds).
 * TEST_DATABASE_ADMIN_URL, when set, points at an existing server's maintenance database
 * instead (its user must be allowed to CREATE DATABASE).
 */
export default async function setup(project: TestProject) {
  let server: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let adminUrl: string;
  if (process.env.TEST_DATABASE_ADMIN_URL) {
    adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  } else {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "greenlight-it-"));
    await fs.chmod(dataDir, 0o755);
    server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: await freePort(),
      database: "postgres",
    });
    adminUrl = server.adminUrl;
  }
  await ensureDatabase(adminUrl, TEMPLATE_DATABASE);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await migrate(templateUrl.toString());
  project.provide("adminUrl", adminUrl);

  return async () => {
    await server?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
}
