import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { expect, inject, it } from "vitest";
import { ensureDatabase } from "@/lib/db/embedded-postgres";

const run = promisify(execFile);

// Migrations are written by hand (enum conversions, backfills), so nothing else guarantees that
// applying them yields what prisma/schema.prisma (and so the generated client) describes.
it("the committed migrations produce exactly the schema in prisma/schema.prisma", async () => {
  // Prisma replays the migrations into the adapter's database (its shadow): an empty one of our own.
  const adminUrl = inject("adminUrl");
  const name = `greenlight_shadow_${randomBytes(6).toString("hex")}`;
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const prisma = path.join("node_modules", ".bin", "prisma");
  const args = [
    "migrate",
    "diff",
    "--from-migrations",
    "prisma/migrations",
    "--to-schema-datamodel",
    "prisma/schema.prisma",
  ];
  const { stdout } = await run(prisma, [...args, "--script"], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    maxBuffer: 10 * 1024 * 1024,
  }).catch((error: { stderr?: string }) => {
    throw new Error(`prisma migrate diff failed: ${error.stderr ?? String(error)}`);
  });
  expect(stdout.replace(/^--.*$/gm, "").trim()).toBe("");
}, 60_000);
