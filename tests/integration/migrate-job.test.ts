/**
 * The migration Job of a Kubernetes installation (scripts/migrate.ts), as it runs there: as the
 * role that owns the database, granting the app's own role its data privileges. The app's role
 * then reads and writes data, runs the job queue, and cannot drop or dodge the audit log's
 * append-only trigger.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { migrateJobQueue } from "@/lib/jobs/worker";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const suffix = randomBytes(4).toString("hex");
const owner = `gl_owner_${suffix}`;
const app = `gl_app_${suffix}`;
const database = `gl_job_${suffix}`;

const urlFor = (user: string, password: string) => {
  const url = new URL(inject("adminUrl"));
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
};

async function withClient<T>(connectionString: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await withClient(inject("adminUrl"), async (c) => {
    await c.query(`create role ${owner} login password 'owner-pw'`);
    await c.query(`create role ${app} login password 'app-pw'`);
    await c.query(`create database ${database} owner ${owner}`);
  });
}, 60_000);

afterAll(async () => {
  await withClient(inject("adminUrl"), async (c) => {
    await c.query(`drop database if exists ${database} with (force)`);
    await c.query(`drop role if exists ${app}`);
    await c.query(`drop role if exists ${owner}`);
  });
});

it("migrates as the owner; the app's role has data privileges and cannot touch the audit trigger", async () => {
  const { stdout } = await run(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "scripts/migrate.ts"],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: urlFor(owner, "owner-pw"), APP_DATABASE_ROLE: app, LOG_LEVEL: "silent" },
    },
  );
  expect(stdout).toMatch(/migrations applied: \d{8}/);
  expect(stdout).toContain(`granted ${app} the app's data privileges`);

  // The worker checks the queue's migrations at start, as the app's role.
  await migrateJobQueue(urlFor(app, "app-pw"));

  await withClient(urlFor(app, "app-pw"), async (c) => {
    // Data: read, write, the job queue.
    expect((await c.query("select count(*)::int as n from environments")).rows[0].n).toBeGreaterThan(0);
    await c.query("insert into system_settings (key, value, updated_at) values ('job-test', '{}', now())");
    await c.query("select graphile_worker.add_job('deployment-run', json_build_object('runId', 'x'))");
    const entry = await c.query<{ id: string }>(
      "insert into audit_log (actor_label, action, target_type, target_id) values ('test', 'test', 'test', 'x') returning id",
    );
    const id = entry.rows[0].id;
    // Not the schema, and not the audit log's guarantees.
    await expect(c.query("drop trigger audit_log_no_update_delete on audit_log")).rejects.toThrow(
      /must be owner of (table|relation) audit_log/,
    );
    await expect(c.query("alter table audit_log disable trigger all")).rejects.toThrow(/must be owner/);
    await expect(c.query(`update audit_log set action = 'forged' where id = ${id}`)).rejects.toThrow(/append-only/);
    await expect(c.query(`delete from audit_log where id = ${id}`)).rejects.toThrow(/append-only/);
  });
}, 120_000);
