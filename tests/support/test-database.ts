import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { ensureDatabase } from "@/lib/db/embedded-postgres";

// Each test file gets its own database cloned from the migrated template, so files run in
// parallel without seeing each other's rows (and the append-only audit log never needs deleting).
const adminUrl = inject("adminUrl");
const name = `greenlight_test_${randomBytes(6).toString("hex")}`;
await ensureDatabase(adminUrl, name, "greenlight_template");
const url = new URL(adminUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

afterAll(async () => {
  const { getDb } = await import("@/lib/db");
  await getDb().$disconnect();
});
