import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { getDb } from "@/lib/db";

// Raw SQL on purpose: the point is that PostgreSQL itself refuses, whoever connects.
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });

beforeAll(async () => {
  await client.connect();
  await recordAudit(getDb(), SYSTEM_ACTOR, {
    action: "test.entry",
    targetType: "test",
    targetId: "1",
    after: { n: 1 },
  });
});
afterAll(() => client.end());

describe("the audit log is append-only", () => {
  it("accepts new entries", async () => {
    const { rows } = await client.query("select count(*)::int as n from audit_log where action = 'test.entry'");
    expect(rows[0].n).toBe(1);
  });

  it.each([
    ["UPDATE", "update audit_log set action = 'tampered'"],
    ["DELETE", "delete from audit_log"],
    ["TRUNCATE", "truncate audit_log"],
  ])("refuses %s", async (operation, sql) => {
    await expect(client.query(sql)).rejects.toThrow(`audit_log is append-only: ${operation} is not allowed`);
    const { rows } = await client.query("select count(*)::int as n from audit_log where action = 'test.entry'");
    expect(rows[0].n).toBe(1);
  });

  it("refuses through Prisma too", async () => {
    await expect(getDb().auditLog.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(getDb().auditLog.updateMany({ data: { action: "x" } })).rejects.toThrow(/append-only/);
  });
});
