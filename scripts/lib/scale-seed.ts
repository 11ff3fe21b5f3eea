/**
 * The scale data set (issue 11, "Scale"), written set-based: every table is one
 * INSERT … SELECT over generate_series, its values drawn from a deterministic hash of the row
 * number (hashtextextended), so two seeds at the same SCALE produce the same rows and the load
 * takes a few minutes instead of hours of round trips.
 *
 * At SCALE=1: 1,000 services (targets in development, staging and production), 200 people,
 * 50,000 releases (revisions; sign-offs and checklists for production), 100,000 runs over two
 * years (two per release: the deploy, then a retry, a redeploy or a rollback), 1,000,000 run
 * events, 20,000 incidents (alerts, cause/remedy links, postmortems) with 200,000 timeline
 * entries, and the audit entries those actions write in the app.
 */
import path from "node:path";
import pg from "pg";

/** Where seed:scale and bench:pages keep their embedded PostgreSQL when DATABASE_URL is not set. */
export const SCALE_DATA_DIR = path.resolve(process.env.SCALE_DATA_DIR ?? ".data/scale");
export const SCALE_PG_PORT = Number(process.env.SCALE_PG_PORT ?? 54339);

export interface ScaleCounts {
  services: number;
  people: number;
  releases: number;
  runs: number;
  runEvents: number;
  incidents: number;
  incidentEvents: number;
}

export function scaleCounts(scale: number): ScaleCounts {
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`SCALE must be a positive number, not ${scale}`);
  const releases = Math.max(1, Math.round(50_000 * scale));
  const runs = releases * 2;
  const incidents = Math.max(1, Math.round(20_000 * scale));
  return {
    services: Math.max(1, Math.round(1_000 * scale)),
    // Whole tens: person p holds role (p - 1) % 10, so every role has holders.
    people: 10 * Math.max(1, Math.round(20 * scale)),
    releases,
    runs,
    runEvents: runs * 10,
    incidents,
    incidentEvents: incidents * 10,
  };
}

export interface SeedScaleOptions {
  scale: number;
  /** The instant the history ends at (its last runs are a few days before it). */
  now?: Date;
  log?: (line: string) => void;
}

export interface SeedScaleResult {
  seeded: boolean;
  counts: ScaleCounts;
  timings: { table: string; rows: number; ms: number }[];
}

const MARKER = "scale-seed";

// Person p's role: six approver roles, release managers, two of on-call, viewers.
const PERSON_ROLES = [
  "CTO",
  "ENGINEERING_LEAD",
  "DEVOPS_LEAD",
  "SECURITY_LEAD",
  "PRODUCT_LEAD",
  "HEAD_OF_SUPPORT",
  "RELEASE_MANAGER",
  "ON_CALL",
  "ON_CALL",
  "VIEWER",
];
const FIRST_NAMES = [
  "Alex", "Blair", "Cameron", "Dana", "Eli", "Frankie", "Gray", "Harper", "Indy", "Jordan",
  "Kai", "Logan", "Morgan", "Noa", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor",
]; // prettier-ignore
const LAST_NAMES = ["Adler", "Brooks", "Chen", "Diaz", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito", "Jensen"];

/** The steps a run of each strategy reports, in order (ten events per run). */
const STEPS: Record<string, string[]> = {
  ROLLING: ["gate", "plan", "inspect", "set-image", "set-image", "wait-rollout", "wait-rollout", "report-replicasets", "verify", "finish"],
  BLUE_GREEN: ["gate", "plan", "inspect", "scale-idle", "wait-idle-ready", "switch-selector", "switch-selector", "verify-switch", "scale-down-old", "finish"],
  CANARY: ["gate", "plan", "inspect", "create-canary", "set-weight", "analyze", "set-weight", "analyze", "promote", "finish"],
}; // prettier-ignore

const sqlArray = (values: string[]) => `array[${values.map((v) => `'${v}'`).join(",")}]`;

/**
 * The helper functions every INSERT below shares, as session-local (pg_temp) SQL functions with
 * the counts baked in. One formula per fact, so a release's status agrees with its runs and an
 * incident's links with the runs they name.
 */
function helpers(c: ScaleCounts): string {
  return `
create function pg_temp.rnd(tag text, i bigint) returns float8 language sql immutable parallel safe as
  $$ select (hashtextextended(tag || ':' || i, 11) & 2147483647)::float8 / 2147483648.0 $$;
create function pg_temp.pick(tag text, i bigint, n int) returns int language sql immutable parallel safe as
  $$ select 1 + floor(pg_temp.rnd(tag, i) * n)::int $$;
create function pg_temp.person_id(p int) returns text language sql immutable parallel safe as
  $$ select 'csu' || lpad(p::text, 8, '0') $$;
-- A person holding approver role ri (1..6), release managers (7), on-call (8).
create function pg_temp.holder(ri int, tag text, i bigint) returns text language sql immutable parallel safe as
  $$ select pg_temp.person_id(ri + 10 * (pg_temp.pick(tag, i, ${c.people / 10}) - 1)) $$;
create function pg_temp.service_name(s int) returns text language sql immutable parallel safe as
  $$ select 'svc-' || lpad(s::text, 4, '0') $$;
create function pg_temp.rel_service(k bigint) returns int language sql immutable parallel safe as
  $$ select ((k - 1) % ${c.services})::int + 1 $$;
create function pg_temp.rel_version(k bigint) returns text language sql immutable parallel safe as
  $$ select (1 + (k - 1) / ${c.services} / 100)::text || '.' || (((k - 1) / ${c.services}) % 100)::text || '.' || (k % 7)::text $$;
create function pg_temp.rel_image(k bigint) returns text language sql immutable parallel safe as
  $$ select 'registry.example.com/team-' || lpad((pg_temp.rel_service(k) % 40 + 1)::text, 2, '0') || '/'
            || pg_temp.service_name(pg_temp.rel_service(k)) || ':' || pg_temp.rel_version(k) $$;
create function pg_temp.run_id(i bigint) returns text language sql immutable parallel safe as
  $$ select 'csr' || lpad(i::text, 8, '0') $$;
create function pg_temp.incident_id(m bigint) returns text language sql immutable parallel safe as
  $$ select 'csi' || lpad(m::text, 8, '0') $$;
-- The newest incidents (about one in 400, at least one) are still open.
create function pg_temp.incident_open(m bigint) returns boolean language sql immutable parallel safe as
  $$ select m > ${c.incidents} - greatest(1, ${Math.floor(c.incidents / 400)}) $$;
create function pg_temp.step_of(kind "IncidentEventKind") returns "IncidentStep" language sql immutable parallel safe as
  $$ select (case kind::text
       when 'DETECT' then 'DETECT' when 'ALERT' then 'DETECT' when 'SLI_BREACH' then 'DETECT'
       when 'ACKNOWLEDGE' then 'ACKNOWLEDGE' when 'COMMANDER_CHANGE' then 'ACKNOWLEDGE'
       when 'ASSESS' then 'ASSESS' when 'SEVERITY_CHANGE' then 'ASSESS' when 'LINK' then 'ASSESS'
       when 'COMMUNICATE' then 'COMMUNICATE' when 'NOTE' then 'COMMUNICATE'
       when 'VERIFY' then 'VERIFY' when 'ALERT_RESOLVED' then 'VERIFY' when 'STATUS_CHANGE' then 'VERIFY'
       when 'DOCUMENT' then 'DOCUMENT' when 'REVIEW' then 'REVIEW'
       else 'REMEDIATE' end)::"IncidentStep" $$;
`;
}

interface Step {
  table: string;
  sql: string;
}

function steps(c: ScaleCounts, now: Date): Step[] {
  const nowSql = `'${now.toISOString()}'::timestamptz`;
  const end = `${nowSql} - interval '4 days'`;
  const spanSeconds = 730 * 86_400;
  // Incidents: one per block of runs, caused by one run of its block.
  const block = Math.max(1, Math.floor(c.runs / c.incidents));
  return [
    {
      table: "environments",
      sql: `
insert into environments (id, name, display_name, position, requires_approval, updated_at)
values ('csedevelopment', 'development', 'Development', -1, false, now())
on conflict (name) do nothing;
create temp table scale_env as
select e, (select id from environments where name = n) as id
  from (values (1, 'development'), (2, 'staging'), (3, 'production')) v(e, n);`,
    },
    {
      table: "users",
      sql: `
insert into users (id, email, name, created_at, updated_at)
select pg_temp.person_id(p), 'person-' || lpad(p::text, 3, '0') || '@scale.greenlight.local',
       (${sqlArray(FIRST_NAMES)})[1 + (p - 1) % ${FIRST_NAMES.length}] || ' '
         || (${sqlArray(LAST_NAMES)})[1 + ((p - 1) / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}]
         || case when p > ${FIRST_NAMES.length * LAST_NAMES.length} then ' ' || p else '' end,
       ${nowSql} - interval '800 days', ${nowSql}
  from generate_series(1, ${c.people}) p;
insert into role_assignments (id, user_id, role, created_at)
select 'csg' || lpad(p::text, 8, '0'), pg_temp.person_id(p), ((${sqlArray(PERSON_ROLES)})[1 + (p - 1) % 10])::"Role",
       ${nowSql} - interval '800 days'
  from generate_series(1, ${c.people}) p;
create temp table scale_people as
select p, u.id, u.name || ' <' || u.email || '>' as label
  from generate_series(1, ${c.people}) p join users u on u.id = pg_temp.person_id(p);
create unique index on scale_people (id);`,
    },
    {
      // Each release's and run's facts, drawn once into temporary tables the inserts below join:
      // nesting the formulas as functions re-evaluates them per reference (4 ms a run).
      table: "(plan)",
      sql: `
create temp table scale_svc as
select s, (case when r < 0.5 then 'ROLLING' when r < 0.8 then 'BLUE_GREEN' else 'CANARY' end)::"Strategy" as strategy
  from generate_series(1, ${c.services}) s, lateral (select pg_temp.rnd('strategy', s) as r) x;
create unique index on scale_svc (s);
-- e: 1 development, 2 staging, 3 production.
create temp table scale_rel as
select k, ((k - 1) % ${c.services})::int + 1 as s,
       case when r_env < 0.35 then 1 when r_env < 0.7 then 2 else 3 end as e,
       ${end} - make_interval(secs => ${spanSeconds}) + make_interval(secs => ((k - 1) + r_created) * ${spanSeconds / c.releases}) as created,
       case when r_revision < 0.1 then 2 else 1 end as revision
  from generate_series(1, ${c.releases}) k,
       lateral (select pg_temp.rnd('env', k) as r_env, pg_temp.rnd('created', k) as r_created,
                       pg_temp.rnd('revision', k) as r_revision) x;
alter table scale_rel add column strategy "Strategy";
update scale_rel r set strategy = v.strategy from scale_svc v where v.s = r.s;
create unique index on scale_rel (k);
-- Run 2k - 1 is release k's deploy; run 2k what followed it: a retry after a failure, the
-- automatic rollback after a breached verification, a manual rollback or a redeploy.
create temp table scale_run as
with first as (
  select 2 * k - 1 as i, k, strategy,
         (case when u < 0.86 then 'SUCCEEDED' when u < 0.93 then 'FAILED' when u < 0.97 then 'ROLLED_BACK'
               when strategy = 'CANARY' then 'ABORTED' else 'SUCCEEDED' end)::"RunStatus" as status,
         created + case when e = 3 then make_interval(secs => 3600 + w * 5 * 3600)
                        else make_interval(secs => 300 + w * 3300) end as created,
         case strategy when 'CANARY' then 300 + floor(d * 1500)::int when 'BLUE_GREEN' then 60 + floor(d * 340)::int
                       else 40 + floor(d * 260)::int end as secs
    from scale_rel,
         lateral (select pg_temp.rnd('status', 2 * k - 1) as u, pg_temp.rnd('wait', 2 * k - 1) as w,
                         pg_temp.rnd('duration', 2 * k - 1) as d) x
)
select i, k, 'DEPLOY'::"RunKind" as kind, status, created, secs, false as automatic from first
union all
select f.i + 1, f.k,
       (case when f.status in ('FAILED', 'ABORTED') then 'DEPLOY' when f.status = 'ROLLED_BACK' then 'ROLLBACK'
             when x.rb < 0.12 then 'ROLLBACK' else 'DEPLOY' end)::"RunKind",
       (case when x.u < 0.95 then 'SUCCEEDED' else 'FAILED' end)::"RunStatus",
       f.created + make_interval(secs => f.secs + case when f.status = 'ROLLED_BACK' then 5 else 600 + x.g * 3 * 86400 end),
       case f.strategy when 'CANARY' then 300 + floor(x.d * 1500)::int when 'BLUE_GREEN' then 60 + floor(x.d * 340)::int
                       else 40 + floor(x.d * 260)::int end,
       f.status = 'ROLLED_BACK'
  from first f,
       lateral (select pg_temp.rnd('status', f.i + 1) as u, pg_temp.rnd('rollback', f.i + 1) as rb,
                       pg_temp.rnd('gap', f.i + 1) as g, pg_temp.rnd('duration', f.i + 1) as d) x;
create unique index on scale_run (i);
analyze scale_svc; analyze scale_rel; analyze scale_run;`,
    },
    {
      table: "services",
      sql: `
insert into services (id, name, display_name, description, owner_team, repo_url, created_at, updated_at)
select 'css' || lpad(s::text, 8, '0'), pg_temp.service_name(s), 'Service ' || s,
       'Synthetic service ' || s || ' of the scale data set.', 'Team ' || lpad((s % 40 + 1)::text, 2, '0'),
       'https://git.example.com/team-' || lpad((s % 40 + 1)::text, 2, '0') || '/' || pg_temp.service_name(s),
       ${nowSql} - interval '800 days', ${nowSql}
  from generate_series(1, ${c.services}) s;
insert into service_targets (id, service_id, environment_id, cluster, namespace, deployment_name, kube_service_name,
                             default_strategy, created_at, updated_at)
select 'cst' || lpad((s * 3 + e.e)::text, 8, '0'), 'css' || lpad(s::text, 8, '0'), e.id, 'scale',
       'team-' || lpad((s % 40 + 1)::text, 2, '0'), pg_temp.service_name(s), pg_temp.service_name(s),
       v.strategy, ${nowSql} - interval '800 days', ${nowSql}
  from generate_series(1, ${c.services}) s join scale_svc v using (s) cross join scale_env e;`,
    },
    {
      table: "releases",
      sql: `
create temp table scale_release_outcome as
select f.k, l.kind as last_kind, l.status as last_status, l.created + make_interval(secs => l.secs) as last_finished,
       f.status as first_status, f.created + make_interval(secs => f.secs) as first_finished
  from scale_run f join scale_run l on l.i = f.i + 1
 where f.i % 2 = 1;
insert into releases (id, service_id, environment_id, image_ref, image_repository, image_tag, strategy, change_summary,
                      status, revision, created_by_id, deployed_at, commit_sha, committed_at, created_at, updated_at)
select 'csl' || lpad(k::text, 8, '0'), 'css' || lpad(r.s::text, 8, '0'), e.id,
       pg_temp.rel_image(k), split_part(pg_temp.rel_image(k), ':', 1), pg_temp.rel_version(k), r.strategy,
       (array['Fix a timeout in the payment client', 'Upgrade the HTTP framework', 'New pricing rules',
              'Faster search index warm-up', 'Retry on 503 from the inventory API', 'Feature flag clean-up',
              'Security patch for the JSON parser', 'Cache product images at the edge'])[pg_temp.pick('summary', k, 8)],
       (case when o.last_kind = 'ROLLBACK' and o.last_status = 'SUCCEEDED' then 'ROLLED_BACK'
             when o.last_status = 'SUCCEEDED' then 'DEPLOYED'
             when o.first_status = 'SUCCEEDED' then 'DEPLOYED'
             else 'FAILED' end)::"ReleaseStatus",
       r.revision, pg_temp.holder(7, 'author', k),
       case when o.last_kind = 'DEPLOY' and o.last_status = 'SUCCEEDED' then o.last_finished
            when o.first_status = 'SUCCEEDED' then o.first_finished end,
       md5('commit' || k) || substr(md5('sha' || k), 1, 8),
       r.created - make_interval(secs => 3600 + pg_temp.rnd('commit', k) * 4 * 86400),
       r.created, greatest(o.last_finished, r.created)
  from scale_rel r join scale_release_outcome o using (k) join scale_env e on e.e = r.e
 order by k;`,
    },
    {
      table: "release_revisions",
      sql: `
insert into release_revisions (id, release_id, revision, image_ref, strategy, environment_id, change_summary, changes,
                               created_by_id, created_at)
select 'csv' || lpad((2 * r.k + rev - 1)::text, 8, '0'), rl.id, rev, rl.image_ref, rl.strategy, rl.environment_id,
       rl.change_summary, case when rev = 1 then '{}'::text[] else array['summary'] end, rl.created_by_id,
       rl.created_at + make_interval(secs => (rev - 1) * 1200)
  from generate_series(1, ${c.releases}) r(k)
  join releases rl on rl.id = 'csl' || lpad(r.k::text, 8, '0')
  cross join lateral generate_series(1, rl.revision) rev;`,
    },
    {
      table: "approvals",
      sql: `
insert into approvals (id, release_id, revision, role, decision, comment, user_id, created_at)
select 'csa' || lpad((6 * k + ri)::text, 9, '0'), 'csl' || lpad(k::text, 8, '0'), r.revision,
       ((${sqlArray(PERSON_ROLES.slice(0, 6))})[ri])::"Role", 'APPROVED', '', pg_temp.holder(ri, 'approver' || ri, k),
       r.created + make_interval(secs => 1500 + ri * 300 + pg_temp.rnd('signed' || ri, k) * 1800)
  from scale_rel r cross join generate_series(1, 6) ri
 where r.e = 3;`,
    },
    {
      table: "checklist_items",
      sql: `
insert into checklist_items (id, release_id, label, required, position)
select 'csc' || lpad((10 * k + t.position)::text, 9, '0'), 'csl' || lpad(k::text, 8, '0'), t.label, t.required,
       t.position
  from scale_rel r
  join checklist_template_items t on t.environment_id = (select id from scale_env where e = 3)
 where r.e = 3;`,
    },
    {
      table: "checklist_ticks",
      sql: `
insert into checklist_ticks (id, item_id, release_id, revision, checked_by_id, checked_at)
select 'cst' || lpad((10 * k + t.position)::text, 9, '0'), 'csc' || lpad((10 * k + t.position)::text, 9, '0'),
       'csl' || lpad(k::text, 8, '0'), r.revision, pg_temp.holder(7, 'author', k),
       r.created + make_interval(secs => 600 + t.position * 60)
  from scale_rel r
  join checklist_template_items t on t.environment_id = (select id from scale_env where e = 3)
 where r.e = 3;`,
    },
    {
      table: "deployment_runs",
      sql: `
insert into deployment_runs (id, kind, status, release_id, revision, service_id, environment_id, strategy, reason,
                             outcome, from_image, to_image, current_step, requested_by_id, started_at,
                             traffic_switched_at, verification, verify_until, verification_note, finished_at,
                             created_at, updated_at, deadline_at)
select pg_temp.run_id(i), kind, status, rl.id, rl.revision, rl.service_id, rl.environment_id, rl.strategy,
       case when kind = 'ROLLBACK' and automatic
              then 'Automatic rollback: the error rate breached the SLO during verification'
            when kind = 'ROLLBACK' then (array['Elevated 5xx after the deploy', 'Latency regression on checkout',
              'Customer reports of failed logins', 'Memory leak in the new version'])[pg_temp.pick('reason', i, 4)]
            when i % 2 = 0 then 'Redeploy' end,
       case status
         when 'SUCCEEDED' then case when kind = 'ROLLBACK' then 'Rolled back to the previous version'
                                    else 'Deployed ' || pg_temp.rel_version(rl.k) end
         when 'FAILED' then (array['Rollout did not become ready within the deadline', 'ImagePullBackOff on 2 pods',
                               'Readiness probe failed', 'Kubernetes API answered 409 Conflict'])[pg_temp.pick('fail', i, 4)]
         when 'ROLLED_BACK' then 'SLO breached during verification: error rate 4.2% > 1%'
         when 'ABORTED' then 'Aborted by a person during the canary'
       end,
       case when kind = 'ROLLBACK' then rl.image_ref else replace(rl.image_ref, pg_temp.rel_version(rl.k), '1.' || (rl.k % 97) || '.0') end,
       case when kind = 'ROLLBACK' then replace(rl.image_ref, pg_temp.rel_version(rl.k), '1.' || (rl.k % 97) || '.0') else rl.image_ref end,
       'finish', case when automatic then null else pg_temp.person_id(pg_temp.pick('who', i, ${c.people})) end,
       created + interval '2 seconds',
       case when rl.strategy = 'BLUE_GREEN' and status = 'SUCCEEDED' then created + make_interval(secs => secs * 0.6) end,
       case when kind = 'DEPLOY' and rl.strategy <> 'CANARY' and status = 'SUCCEEDED' then 'VERIFIED'::"VerificationStatus"
            when status = 'ROLLED_BACK' then 'BREACHED'::"VerificationStatus" end,
       case when kind = 'DEPLOY' and rl.strategy <> 'CANARY' and status in ('SUCCEEDED', 'ROLLED_BACK')
            then created + make_interval(secs => secs + 600) end,
       case when status = 'ROLLED_BACK' then 'error rate 4.2% over 5m > 1%' end,
       created + make_interval(secs => secs), created, created + make_interval(secs => secs),
       created + interval '600 seconds'
  from scale_run r
  cross join lateral (select rl.id, rl.revision, rl.service_id, rl.environment_id, rl.strategy, rl.image_ref, r.k
                       from releases rl where rl.id = 'csl' || lpad(r.k::text, 8, '0')) rl
 order by i;`,
    },
    {
      table: "run_controls",
      sql: `
insert into run_controls (id, run_id, action, requested_by_id, requested_at, applied_at, outcome)
select 'csk' || lpad(i::text, 8, '0'), dr.id, case when dr.status = 'ABORTED' then 'abort' else 'promote' end,
       pg_temp.person_id(pg_temp.pick('controller', i, ${c.people})),
       dr.started_at + (dr.finished_at - dr.started_at) * 0.7, dr.finished_at,
       case when dr.status = 'ABORTED' then 'Canary scaled to zero; stable unchanged' else 'Promoted to 100%' end
  from generate_series(1, ${c.runs}, 2) i
  join deployment_runs dr on dr.id = pg_temp.run_id(i)
 where dr.strategy = 'CANARY' and (dr.status = 'ABORTED' or (dr.status = 'SUCCEEDED' and pg_temp.rnd('control', i) < 0.3));`,
    },
    {
      table: "run_events",
      sql: `
insert into run_events (run_id, seq, step, phase, message, request, response, created_at)
select dr.id, s, st.step,
       (case when s = 10 and dr.status in ('FAILED', 'ROLLED_BACK', 'ABORTED') then 'ERROR'
             when s in (1, 2, 10) then 'INFO' when s % 2 = 1 then 'BEFORE' else 'AFTER' end)::"RunEventPhase",
       case when s = 10 then coalesce(dr.outcome, 'Finished')
            when st.step = 'analyze' then 'Canary analysis: error rate ' || round((pg_temp.rnd('err', n)::numeric * 0.8), 3)
                                          || '%, p95 ' || (120 + floor(pg_temp.rnd('p95', n) * 200)) || ' ms'
            else st.step || ' ' || dr.service_id || ' (' || split_part(dr.to_image, ':', 2) || ')' end,
       case when s % 2 = 1 and s > 2 then jsonb_build_object('namespace', 'team-01', 'step', st.step,
              'patch', jsonb_build_object('spec', jsonb_build_object('template', jsonb_build_object('spec',
                jsonb_build_object('containers', jsonb_build_array(jsonb_build_object('name', 'app', 'image', dr.to_image))))))) end,
       case when st.step = 'analyze' then jsonb_build_object('errorRate', round(pg_temp.rnd('err', n)::numeric * 0.008, 5),
              'p95', round(0.12 + pg_temp.rnd('p95', n)::numeric * 0.2, 3), 'p99', round(0.3 + pg_temp.rnd('p99', n)::numeric * 0.4, 3),
              'requests', 500 + floor(pg_temp.rnd('req', n) * 5000)::int)
            when s % 2 = 0 then jsonb_build_object('generation', s, 'resourceVersion', (n * 7)::text,
              'readyReplicas', 3, 'updatedReplicas', 3) end,
       dr.started_at + (dr.finished_at - dr.started_at) * (s - 1) / 9.0
  from generate_series(1, ${c.runs}) i
  join deployment_runs dr on dr.id = pg_temp.run_id(i)
  cross join generate_series(1, 10) s
  cross join lateral (select (i * 10 + s)::bigint as n) nn
  cross join lateral (select (case dr.strategy when 'CANARY' then ${sqlArray(STEPS.CANARY)}
                                               when 'BLUE_GREEN' then ${sqlArray(STEPS.BLUE_GREEN)}
                                               else ${sqlArray(STEPS.ROLLING)} end)[s] as step) st
 order by i, s;`,
    },
    {
      table: "incidents",
      sql: `
create temp table scale_incident as
select m, pg_temp.incident_id(m) as id, dr.id as run_id, dr.service_id, dr.environment_id, dr.release_id,
       dr.finished_at + make_interval(secs => 60 + pg_temp.rnd('opened', m) * 1800) as opened_at,
       (case when pg_temp.rnd('severity', m) < 0.05 then 'P1' when pg_temp.rnd('severity', m) < 0.2 then 'P2'
             when pg_temp.rnd('severity', m) < 0.6 then 'P3' else 'P4' end)::"Severity" as severity,
       (case when pg_temp.rnd('source', m) < 0.4 then 'ALERTMANAGER' when pg_temp.rnd('source', m) < 0.7 then 'AUTO_ROLLBACK'
             else 'MANUAL' end)::"IncidentSource" as source,
       (case when not pg_temp.incident_open(m) then 'RESOLVED'
             else (array['INVESTIGATING', 'IDENTIFIED', 'MONITORING'])[pg_temp.pick('open', m, 3)] end)::"IncidentStatus" as status,
       case when c.i % 2 = 1 and next.kind = 'ROLLBACK' then next.i end as remedy
  from generate_series(1, ${c.incidents}) m
  cross join lateral (select least(${c.runs}, (m - 1) * ${block} + pg_temp.pick('cause', m, ${block})) as i) c
  join deployment_runs dr on dr.id = pg_temp.run_id(c.i)
  left join scale_run next on next.i = c.i + 1;
-- Open incidents are recent: moved to the last hours before now.
update scale_incident set opened_at = ${nowSql} - make_interval(secs => 1800 + pg_temp.rnd('recent', m) * 86400)
 where status <> 'RESOLVED';
alter table scale_incident add column ack_at timestamptz, add column restored_at timestamptz, add column resolved_at timestamptz;
update scale_incident set
  ack_at = case when status = 'INVESTIGATING' and pg_temp.rnd('unacked', m) < 0.5 then null
                else opened_at + make_interval(secs => 60 * (case severity when 'P1' then 5 when 'P2' then 15 when 'P3' then 60 else 240 end)
                                                     * (0.1 + pg_temp.rnd('ack', m) * 1.3)) end,
  restored_at = case when status in ('MONITORING', 'RESOLVED') then opened_at + make_interval(secs => 900 + pg_temp.rnd('restore', m) * 6 * 3600) end;
update scale_incident set restored_at = greatest(restored_at, ack_at + interval '1 minute') where restored_at is not null and ack_at is not null;
update scale_incident set resolved_at = restored_at + make_interval(secs => 600 + pg_temp.rnd('resolve', m) * 2 * 86400)
 where status = 'RESOLVED';
create unique index on scale_incident (m);
insert into incidents (id, title, summary, severity, status, source, service_id, environment_id, release_id,
                       commander_id, opened_by_id, opened_at, acknowledged_at, acknowledged_by_id, restored_at,
                       resolved_at, resolved_by_id, resolution, impact, root_cause, went_well, updated_at)
select id,
       (array['Error rate above SLO', 'Checkout latency p99 above 2 s', 'Pods crash-looping after deploy',
              'Elevated 5xx from the API gateway', 'Login failures for some customers'])[pg_temp.pick('title', m, 5)]
         || ' on ' || pg_temp.service_name(((m - 1) % ${c.services})::int + 1),
       'Synthetic incident ' || m, severity, status, source, service_id, environment_id, release_id,
       pg_temp.holder(8, 'commander', m), case when source = 'MANUAL' then pg_temp.holder(8, 'opener', m) end,
       opened_at, ack_at, case when ack_at is not null then pg_temp.holder(8, 'commander', m) end, restored_at,
       resolved_at, case when resolved_at is not null then pg_temp.holder(8, 'commander', m) end,
       case when resolved_at is not null then 'Rolled back to the previous version; error rate back under 0.5%.' end,
       case when severity in ('P1', 'P2') and resolved_at is not null then 'About 3% of requests failed for 40 minutes.' end,
       case when severity in ('P1', 'P2') and resolved_at is not null then 'A connection-pool setting shipped with the release.' end,
       case when severity in ('P1', 'P2') and resolved_at is not null then 'The rollback took under a minute.' end,
       coalesce(resolved_at, restored_at, ack_at, opened_at)
  from scale_incident order by m;`,
    },
    {
      table: "incident_alerts",
      sql: `
insert into incident_alerts (id, incident_id, fingerprint, alertname, state, labels, annotations, generator_url,
                             starts_at, ends_at, notifications, last_notified_at, created_at)
select 'csx' || lpad(m::text, 8, '0'), i.id, substr(md5('fingerprint' || m), 1, 16), 'HighErrorRate',
       (case when i.resolved_at is null then 'FIRING' else 'RESOLVED' end)::"AlertState",
       jsonb_build_object('alertname', 'HighErrorRate', 'service', s.name, 'environment', e.name,
                          'severity', lower(i.severity::text)),
       jsonb_build_object('summary', 'Error rate above 1% for 5 minutes'),
       'http://prometheus.example.com/graph?g0.expr=error_rate', i.opened_at - interval '2 minutes',
       i.restored_at, 1 + floor(pg_temp.rnd('notifications', m) * 6)::int, coalesce(i.restored_at, i.opened_at),
       i.opened_at
  from scale_incident i join services s on s.id = i.service_id join environments e on e.id = i.environment_id
 where i.source = 'ALERTMANAGER';`,
    },
    {
      table: "incident_runs",
      sql: `
insert into incident_runs (incident_id, run_id, relation, linked_by_id, created_at)
select id, run_id, 'cause', case when source = 'MANUAL' then pg_temp.holder(8, 'commander', m) end,
       opened_at + interval '2 minutes'
  from scale_incident
union all
select id, pg_temp.run_id(remedy), 'remedy', null, opened_at + interval '3 minutes'
  from scale_incident where remedy is not null;`,
    },
    {
      table: "incident_events",
      sql: `
insert into incident_events (incident_id, kind, step, message, data, actor_id, run_id, alert_id, created_at)
select i.id, ev.kind, pg_temp.step_of(ev.kind), ev.message, ev.data, ev.actor, ev.run, ev.alert,
       i.opened_at + make_interval(secs => (e - 1) * coalesce(extract(epoch from (coalesce(i.resolved_at, ${nowSql}) - i.opened_at)) / 10, 60))
  from scale_incident i
  cross join generate_series(1, 10) e
  cross join lateral (
    select k::"IncidentEventKind" as kind, msg as message, d as data, a as actor, r as run, al as alert
      from (select
        case e when 1 then case i.source when 'ALERTMANAGER' then 'ALERT' when 'AUTO_ROLLBACK' then 'SLI_BREACH' else 'DETECT' end
               when 2 then 'LINK' when 3 then 'ACKNOWLEDGE' when 4 then 'COMMANDER_CHANGE'
               when 5 then case when i.status = 'INVESTIGATING' then 'NOTE' else 'STATUS_CHANGE' end
               when 6 then 'NOTE'
               when 7 then case when i.remedy is not null then 'ROLLBACK' else 'REMEDIATE' end
               when 8 then case when i.status in ('MONITORING', 'RESOLVED') then 'STATUS_CHANGE' else 'NOTE' end
               when 9 then case when i.source = 'ALERTMANAGER' and i.resolved_at is not null then 'ALERT_RESOLVED' else 'VERIFY' end
               else case when i.status = 'RESOLVED' then 'STATUS_CHANGE' else 'NOTE' end end as k,
        case e when 1 then 'Detected: error rate above the SLO on ' || i.service_id
               when 2 then 'Linked run ' || i.run_id || ' as the cause'
               when 3 then 'Acknowledged'
               when 4 then 'Commander assigned'
               when 5 then case when i.status = 'INVESTIGATING' then 'Looking at the last deploy' else 'Status: investigating → identified' end
               when 6 then 'Customers informed on the status page'
               when 7 then case when i.remedy is not null then 'Rolled back to the previous version' else 'Restarted the pods' end
               when 8 then case when i.status in ('MONITORING', 'RESOLVED') then 'Status: identified → monitoring' else 'Still investigating' end
               when 9 then 'Error rate back under 0.5%'
               else case when i.status = 'RESOLVED' then 'Status: monitoring → resolved' else 'Next update in 30 minutes' end end as msg,
        case when e = 5 and i.status <> 'INVESTIGATING' then jsonb_build_object('from', 'INVESTIGATING', 'to', 'IDENTIFIED')
             when e = 8 and i.status in ('MONITORING', 'RESOLVED') then jsonb_build_object('from', 'IDENTIFIED', 'to', 'MONITORING')
             when e = 10 and i.status = 'RESOLVED' then jsonb_build_object('from', 'MONITORING', 'to', 'RESOLVED')
             when e = 9 then jsonb_build_object('errorRate', 0.004) end as d,
        case when e in (1, 9) and i.source <> 'MANUAL' then null else pg_temp.holder(8, 'commander', i.m) end as a,
        case when e in (1, 2) then i.run_id when e = 7 and i.remedy is not null then pg_temp.run_id(i.remedy) end as r,
        case when e in (1, 9) and i.source = 'ALERTMANAGER' then 'csx' || lpad(i.m::text, 8, '0') end as al) x
  ) ev
 order by i.m, e;`,
    },
    {
      table: "postmortem_action_items",
      sql: `
insert into postmortem_action_items (id, incident_id, title, owner_id, due_at, done_at, created_by_id, created_at)
select 'csp' || lpad((2 * m + n)::text, 9, '0'), id,
       (array['Add an alert on connection-pool saturation', 'Load-test the release candidate',
              'Document the rollback runbook', 'Canary the config change first'])[pg_temp.pick('action' || n, m, 4)],
       pg_temp.holder(8, 'owner' || n, m), resolved_at + interval '14 days',
       case when resolved_at < ${nowSql} - interval '30 days' then resolved_at + interval '10 days' end,
       pg_temp.holder(8, 'commander', m), resolved_at + interval '1 day'
  from scale_incident cross join generate_series(1, 2) n
 where severity in ('P1', 'P2') and resolved_at is not null;`,
    },
    {
      table: "audit_log",
      sql: `
insert into audit_log (at, actor_id, actor_label, action, target_type, target_id, after)
select at, actor, coalesce(p.label, 'system'), action, target_type, target_id, after
  from (
    select rl.created_at as at, rl.created_by_id as actor, 'release.create' as action, 'release' as target_type, rl.id as target_id,
           jsonb_build_object('image', rl.image_ref, 'strategy', rl.strategy) as after
      from releases rl where rl.id like 'csl%'
    union all
    select a.created_at, a.user_id, 'approval.approve', 'release', a.release_id,
           jsonb_build_object('role', a.role, 'revision', a.revision)
      from approvals a where a.id like 'csa%'
    union all
    select dr.created_at, dr.requested_by_id, case when dr.requested_by_id is null then 'run.auto_rollback' else 'run.request' end,
           'run', dr.id, jsonb_build_object('kind', dr.kind, 'releaseId', dr.release_id, 'image', dr.to_image, 'strategy', dr.strategy)
      from deployment_runs dr where dr.id like 'csr%'
    union all
    select dr.finished_at, null, 'run.finish', 'run', dr.id, jsonb_build_object('status', dr.status, 'outcome', dr.outcome)
      from deployment_runs dr where dr.id like 'csr%'
    union all
    select i.opened_at, null, 'incident.open', 'incident', i.id, jsonb_build_object('severity', i.severity, 'source', i.source)
      from scale_incident i
  ) x left join scale_people p on p.id = x.actor
 order by at;`,
    },
  ];
}

/**
 * Seeds the scale data set into `databaseUrl`, which must be migrated and have lib/seed's baseline
 * (environments, checklist template) in it. Runs once: a marker in system_settings says it ran.
 */
export async function seedScale(databaseUrl: string, options: SeedScaleOptions): Promise<SeedScaleResult> {
  const log = options.log ?? (() => {});
  const counts = scaleCounts(options.scale);
  // Whole hours, so two seeds at the same scale in the same hour write the same timestamps.
  const now = options.now ?? new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const timings: SeedScaleResult["timings"] = [];
  try {
    const marker = await client.query(`select value from system_settings where key = $1`, [MARKER]);
    if (marker.rowCount) {
      log(`already seeded (${JSON.stringify(marker.rows[0].value)}); start from an empty database to seed again`);
      return { seeded: false, counts, timings };
    }
    const environments = await client.query(`select 1 from environments where name in ('staging', 'production')`);
    if (environments.rowCount !== 2) throw new Error("the baseline environments (lib/seed) are missing");

    await client.query(`set synchronous_commit = off`);
    await client.query(`set maintenance_work_mem = '256MB'`);
    await client.query(`set work_mem = '64MB'`);
    // Foreign keys are right by construction (every id comes from the same formula); skipping
    // their per-row triggers halves the load. Needs a superuser (the embedded one is); elsewhere
    // the checks simply run.
    const replica = await client
      .query(`set session_replication_role = replica`)
      .then(() => true)
      .catch(() => false);
    log(`seeding at SCALE=${options.scale}${replica ? "" : " (foreign-key checks on: not a superuser)"}`);
    await client.query("begin");
    await client.query(helpers(counts));
    for (const step of steps(counts, now)) {
      const started = performance.now();
      await client.query(step.sql);
      const ms = performance.now() - started;
      const rows = step.table.startsWith("(")
        ? 0
        : Number((await client.query<{ n: string }>(`select count(*) as n from ${step.table}`)).rows[0].n);
      timings.push({ table: step.table, rows, ms });
      log(`${step.table.padEnd(24)} ${String(rows).padStart(9)} rows  ${(ms / 1000).toFixed(1).padStart(6)} s`);
    }
    await client.query(`insert into system_settings (key, value, updated_at) values ($1, $2, now())`, [
      MARKER,
      JSON.stringify({ scale: options.scale, counts, now: now.toISOString() }),
    ]);
    await client.query("commit");
    if (replica) await client.query(`set session_replication_role = origin`);
    const started = performance.now();
    await client.query("vacuum analyze");
    const ms = performance.now() - started;
    timings.push({ table: "vacuum analyze", rows: 0, ms });
    log(`${"vacuum analyze".padEnd(24)} ${"".padStart(9)}       ${(ms / 1000).toFixed(1).padStart(6)} s`);
    return { seeded: true, counts, timings };
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
