import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { seed } from "@/lib/seed/seed";
import { scaleCounts, seedScale, type SeedScaleResult } from "@/scripts/lib/scale-seed";

// The scale seed at a thousandth of its size (1 service, 50 releases, 100 runs, 20 incidents):
// the same SQL as `npm run seed:scale`, so a schema change that breaks it fails here, not in a
// benchmark nobody runs. Speed is the benchmark's business, not this test's.
const url = process.env.DATABASE_URL!;
const client = new pg.Client({ connectionString: url });
let result: SeedScaleResult;

const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0].n);

beforeAll(async () => {
  await seed(getDb(), { demo: true });
  result = await seedScale(url, { scale: 0.001, now: new Date("2026-12-04T12:00:00Z") });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client.end();
});

describe("seedScale at SCALE=0.001", () => {
  it("writes the counts it promises, table by table", async () => {
    const expected = scaleCounts(0.001);
    expect(result.seeded).toBe(true);
    expect(expected).toMatchObject({ services: 1, releases: 50, runs: 100, runEvents: 1000, incidents: 20 });
    expect(await count(`select count(*) as n from services where name like 'svc-%'`)).toBe(expected.services);
    expect(await count(`select count(*) as n from service_targets where id like 'cst%'`)).toBe(3 * expected.services);
    expect(await count(`select count(*) as n from releases where id like 'csl%'`)).toBe(expected.releases);
    expect(await count(`select count(*) as n from deployment_runs where id like 'csr%'`)).toBe(expected.runs);
    expect(await count(`select count(*) as n from run_events`)).toBe(expected.runEvents);
    expect(await count(`select count(*) as n from incidents where id like 'csi%'`)).toBe(expected.incidents);
    expect(await count(`select count(*) as n from incident_events`)).toBe(expected.incidentEvents);
    expect(result.timings.map((t) => t.table)).toContain("run_events");
  });

  it("keeps the rows consistent with one another", async () => {
    // Every run has its ten events, numbered 1..10.
    expect(
      await count(`select count(*) as n from (select run_id from run_events group by run_id
                    having count(*) <> 10 or min(seq) <> 1 or max(seq) <> 10) bad`),
    ).toBe(0);
    // Production releases carry one approved sign-off per approver role, on their current revision,
    // from people who hold that role.
    expect(
      await count(`select count(*) as n from releases r join environments e on e.id = r.environment_id
                    where e.name = 'production' and 6 <> (select count(distinct a.role) from approvals a
                      join role_assignments ra on ra.user_id = a.user_id and ra.role = a.role
                     where a.release_id = r.id and a.revision = r.revision and a.decision = 'APPROVED')`),
    ).toBe(0);
    // Runs belong to their release's service and environment, and finish after they start.
    expect(
      await count(`select count(*) as n from deployment_runs d join releases r on r.id = d.release_id
                    where d.service_id <> r.service_id or d.environment_id <> r.environment_id
                       or d.finished_at < d.started_at`),
    ).toBe(0);
    // A release's status agrees with its last run: rolled back by a rollback, deployed by a success.
    expect(
      await count(`select count(*) as n from releases r
                    join lateral (select kind, status from deployment_runs d where d.release_id = r.id
                                   order by d.created_at desc limit 1) last on true
                   where (last.kind = 'ROLLBACK' and last.status = 'SUCCEEDED' and r.status <> 'ROLLED_BACK')
                      or (last.kind = 'DEPLOY' and last.status = 'SUCCEEDED' and r.status <> 'DEPLOYED')`),
    ).toBe(0);
    // Each incident is linked to the run that caused it, in its service and environment.
    expect(
      await count(`select count(*) as n from incidents i where not exists (
                     select 1 from incident_runs ir join deployment_runs d on d.id = ir.run_id
                      where ir.incident_id = i.id and ir.relation = 'cause'
                        and d.service_id = i.service_id and d.environment_id = i.environment_id)`),
    ).toBe(0);
    // Timeline entries sit in the step the procedure gives their kind.
    expect(
      await count(`select count(*) as n from incident_events
                    where (kind in ('ALERT', 'SLI_BREACH', 'DETECT') and step <> 'DETECT')
                       or (kind in ('ROLLBACK', 'REMEDIATE') and step <> 'REMEDIATE')
                       or (kind = 'STATUS_CHANGE' and step <> 'VERIFY')`),
    ).toBe(0);
    // Resolved incidents were acknowledged, restored and resolved in that order.
    expect(
      await count(`select count(*) as n from incidents where status = 'RESOLVED'
                     and not (acknowledged_at >= opened_at and restored_at >= acknowledged_at and resolved_at >= restored_at)`),
    ).toBe(0);
  });

  it("runs once: a second seed leaves the database as it was", async () => {
    const before = await count(`select count(*) as n from deployment_runs`);
    const again = await seedScale(url, { scale: 0.001 });
    expect(again.seeded).toBe(false);
    expect(await count(`select count(*) as n from deployment_runs`)).toBe(before);
  });
});
