import path from "node:path";
import { defineConfig } from "prisma/config";
import { migrationAdapter } from "./lib/db/migration-adapter";

// Prisma 6.19's JS schema engine runs migrations through a driver adapter, so no native engine
// is downloaded (see README, "Database"). `generate` needs no database, but without a URL the
// CLI fails to read the schema and falls back to downloading a native engine, hence the
// placeholder.
process.env.DATABASE_URL ??= "postgresql://placeholder@127.0.0.1:5432/placeholder";
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  engine: "js",
  adapter: async () => migrationAdapter(url),
});
