import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";

// Only root hands PostgreSQL to the postgres user; as anyone else there is nothing to move.
const asRoot = process.getuid?.() === 0;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.skipIf(!asRoot)("the embedded PostgreSQL started as root", () => {
  it("starts, and keeps its data across restarts, with the checkout in a folder only root can enter", async () => {
    // Like /root/greenlight: a 0700 root-owned folder the postgres user cannot traverse.
    const locked = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-root-only-"));
    fs.chmodSync(locked, 0o700);
    const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), "greenlight-scratch-"));
    fs.chmodSync(scratchRoot, 0o755);
    made.push(locked, scratchRoot);
    const dataDir = path.join(locked, ".data", "postgres");
    const options = { dataDir, port: await freePort(), database: "rooted", scratchRoot };

    const first = await startEmbeddedPostgres(options);
    try {
      expect(first.dataDir.startsWith(`${scratchRoot}/greenlight-`)).toBe(true);
      const shown = await query(first.url, "show data_directory");
      expect(shown.rows[0].data_directory).toBe(first.dataDir);
      await query(first.url, "create table kept (v text); insert into kept values ('still here')");
    } finally {
      await first.stop();
    }
    // Nothing in the locked folder was opened up for the postgres user.
    expect(fs.statSync(locked).mode & 0o777).toBe(0o700);
    expect(fs.statSync(first.dataDir).mode & 0o777).toBe(0o700);

    const second = await startEmbeddedPostgres({ ...options, port: await freePort() });
    try {
      expect(second.dataDir).toBe(first.dataDir);
      expect((await query(second.url, "select v from kept")).rows).toEqual([{ v: "still here" }]);
    } finally {
      await second.stop();
    }
  }, 180_000);
});
