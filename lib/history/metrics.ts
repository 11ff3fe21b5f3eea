/**
 * The four DORA delivery metrics, read from the deployment log and incidents with one set-based
 * statement per period (no per-run round trips), for a period [from, to) and the period of the
 * same length before it, per service and overall.
 *
 * Definitions (the page's "How these are computed" and the README say the same):
 *
 * - **Production** is the environment named `production` (lib/seed creates `staging` and
 *   `production`; the schema has no "is production" flag, and `requires_approval` is a gate
 *   setting, not a statement about users, so the name is the flag). The page can compute the same
 *   figures for another environment when asked, and says so.
 * - **A production deploy** is a `deployment_runs` row with `kind = 'DEPLOY'`, `dry_run = false`, in
 *   production, that reached a final state and served traffic: `status = 'SUCCEEDED'`, or
 *   `FAILED`/`ROLLED_BACK` with `traffic_switched_at` set (users got it). A deploy aborted or
 *   failed before its traffic switch changed nothing for users and is not counted. It belongs to
 *   the period its `finished_at` falls in.
 * - **Deployment frequency** = production deploys / days in the period (also shown per week).
 * - **Lead time for changes** = the median, over production deploys that ended live
 *   (`status = 'SUCCEEDED'`), of `finished_at − the release's created_at` (release created → live);
 *   and, separately, over those whose release records `committed_at`, the median of
 *   `finished_at − committed_at` (commit → live). A deploy that failed after its traffic switch
 *   counts as a deploy and a failure, but its change never stayed live.
 * - **Change failure rate** = failed production deploys / production deploys, where a production
 *   deploy failed when
 *   (a) a `ROLLBACK` run (not a dry run) of the same service and environment started after it
 *       finished, within 24 hours, and before the next production deploy of that service and
 *       environment started (a rollback after the next deploy is about the next deploy); or
 *   (b) an incident opened before 24 hours after it finished links it as its cause
 *       (`incident_runs.relation = 'cause'`); or
 *   (c) it ended `FAILED`/`ROLLED_BACK` after its traffic switch (users got it and the engine had to
 *       put the previous version back by itself).
 * - **Failed deployment recovery time** = the median, over failed production deploys, of the time
 *   from the failure (its finish; for (c) its traffic switch; or its cause incident's `opened_at`
 *   when earlier) to the first of: the next good version serving (a `SUCCEEDED` `ROLLBACK` or
 *   `DEPLOY` of that service and environment finishing later; for (c) its own finish, when the
 *   engine had put the previous version back) or its cause incident's `restored_at` (else
 *   `resolved_at`). Failures not yet recovered are counted beside the median, not in it.
 *
 * Where other tools went wrong, and what this does instead: Google's Four Keys computed time to
 * restore from every incident in the period, whether or not a deploy caused it (so an outage of a
 * third party lowers "deployment" recovery), and divided failures by all deployments, including
 * ones that failed before they reached users; here recovery is measured only from failed
 * production deploys, and the denominator counts only deploys that served traffic.
 *
 * Cost: deploys are found by (environment, kind, finished_at); the rollback, next-good-version and
 * incident look-ups are correlated index probes on (service_id, environment_id, created_at) and
 * incident_runs(run_id), each bounded below by the deploy's own creation time (a run requested
 * before a deploy was created cannot be a reaction to it).
 */
import type { DbTx } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import {
  changeFailureRate,
  changeFailureRateBand,
  DAY,
  deploymentFrequencyBand,
  deploysPerDay,
  leadTimeBand,
  recoveryTimeBand,
  type Band,
} from "@/lib/history/bands";

/** How long after a deploy a rollback still counts against it. */
export const ROLLBACK_WINDOW_HOURS = 24;
export const PRODUCTION = "production";

export interface MetricsScope {
  from: Date;
  to: Date;
  /** Only this service (by name). */
  service?: string;
  /** The environment the figures are for; production unless asked. */
  environment?: string;
}

export interface PeriodMetrics {
  from: Date;
  to: Date;
  days: number;
  deploys: number;
  perDay: number | null;
  perWeek: number | null;
  frequencyBand: Band | null;
  leadTimeSeconds: number | null;
  leadTimeBand: Band | null;
  commitLeadTimeSeconds: number | null;
  /** Deploys whose release records a commit time (the commit → live median is over these). */
  commitLeadTimeDeploys: number;
  failures: number;
  changeFailureRate: number | null;
  changeFailureBand: Band | null;
  recoverySeconds: number | null;
  recoveryBand: Band | null;
  recovered: number;
  /** Failed deploys with no recovery yet (not in the median). */
  unrecovered: number;
}

export interface MetricsRow {
  /** null: every service together. */
  serviceId: string | null;
  current: PeriodMetrics;
  previous: PeriodMetrics;
}

export type WeekOutcome = { week: Date; succeeded: number; failed: number; rolledBack: number };

export function previousPeriod(from: Date, to: Date): { from: Date; to: Date } {
  const length = to.getTime() - from.getTime();
  return { from: new Date(from.getTime() - length), to: from };
}

/**
 * The production deploys finished in [from, to), each judged: `failed`, `rolled_back`,
 * `self_failed`, and the times recovery is measured between. Deploys finished up to a window
 * after `to` are read too, because a rollback after the next deploy is about the next deploy.
 */
function judgedDeploysSql(scope: MetricsScope): Prisma.Sql {
  const environment = scope.environment ?? PRODUCTION;
  const window = Prisma.sql`(${ROLLBACK_WINDOW_HOURS}::int * interval '1 hour')`;
  const ofService = (alias: "r" | "rb") =>
    scope.service
      ? Prisma.sql`and ${Prisma.raw(alias)}.service_id = (select id from services where name = ${scope.service})`
      : Prisma.empty;
  return Prisma.sql`
    deploys as (
      select r.id, r.service_id, r.environment_id, r.release_id, r.status, r.created_at,
             coalesce(r.started_at, r.created_at) as started_at, r.finished_at, r.traffic_switched_at,
             -- the next production deploy of this service here: a rollback after it is about it
             lead(coalesce(r.started_at, r.created_at)) over (
               partition by r.service_id, r.environment_id order by r.finished_at, r.id
             ) as next_start
      from deployment_runs r
      where r.environment_id = (select id from environments where name = ${environment})
        and r.kind = 'DEPLOY' and r.dry_run = false
        and r.finished_at >= ${scope.from} and r.finished_at < ${scope.to}::timestamptz + ${window}
        and (r.status = 'SUCCEEDED' or (r.status in ('FAILED', 'ROLLED_BACK') and r.traffic_switched_at is not null))
        ${ofService("r")}
    ),
    -- the environment's rollbacks that can be about those deploys: one index range, joined by
    -- service below (a probe per deploy cost more than the whole join at 6,000 deploys)
    rollbacks as (
      select rb.id, rb.service_id, rb.created_at, coalesce(rb.started_at, rb.created_at) as started_at
      from deployment_runs rb
      where rb.environment_id = (select id from environments where name = ${environment})
        and rb.kind = 'ROLLBACK' and rb.dry_run = false
        and (rb.finished_at >= ${scope.from} or rb.finished_at is null)
        and rb.created_at < ${scope.to}::timestamptz + ${window}
        ${ofService("rb")}
    ),
    rolled_back as (
      select distinct d.id
      from deploys d
      join rollbacks rb on rb.service_id = d.service_id
      where rb.created_at >= d.created_at
        and rb.started_at > d.finished_at
        and rb.started_at < least(d.finished_at + ${window}, coalesce(d.next_start, 'infinity'))
    ),
    judged as (
      select d.*,
             rel.created_at as release_created_at,
             rel.committed_at,
             d.status <> 'SUCCEEDED' as self_failed,
             rb.id is not null as rolled_back,
             cause.incidents > 0 as has_incident,
             cause.opened_at as incident_opened_at,
             cause.restored_at as incident_restored_at
      from deploys d
      left join releases rel on rel.id = d.release_id
      left join rolled_back rb on rb.id = d.id
      cross join lateral (
        select count(*) as incidents, min(i.opened_at) as opened_at, min(coalesce(i.restored_at, i.resolved_at)) as restored_at
        from incident_runs ir join incidents i on i.id = ir.incident_id
        where ir.run_id = d.id and ir.relation = 'cause'
          -- an incident opened long after is not evidence against this deploy (same window as a rollback)
          and i.opened_at < d.finished_at + ${window}
      ) cause
      where d.finished_at < ${scope.to}
    ),
    timed as (
      select j.*,
             (j.self_failed or j.rolled_back or j.has_incident) as failed,
             least(case when j.self_failed then j.traffic_switched_at else j.finished_at end, j.incident_opened_at) as failed_at,
             -- only failed deploys recover: the next-good-version probe runs for those alone
             case when j.self_failed or j.rolled_back or j.has_incident then least(
               case when j.self_failed then j.finished_at end,
               (select min(g.finished_at) from deployment_runs g
                 where g.service_id = j.service_id and g.environment_id = j.environment_id
                   and g.kind in ('DEPLOY', 'ROLLBACK') and g.status = 'SUCCEEDED' and g.dry_run = false
                   and g.created_at >= j.created_at and g.finished_at > j.finished_at and g.id <> j.id),
               j.incident_restored_at
             ) end as recovered_at
      from judged j
    )`;
}

/**
 * The SQL of one period's record, so the deploys are judged once for everything the page shows:
 * one row per service, one for all services together and, with `weeks`, one per week (Monday,
 * UTC) for the chart, told apart by `grouping_set`.
 */
export function metricsSql(scope: MetricsScope, { weeks = false }: { weeks?: boolean } = {}): Prisma.Sql {
  const week = weeks
    ? Prisma.sql`date_trunc('week', finished_at at time zone 'UTC') at time zone 'UTC'`
    : Prisma.sql`null`;
  return Prisma.sql`
    with ${judgedDeploysSql(scope)}
    select case when grouping(week) = 0 then 'week' when grouping(service_id) = 0 then 'service' else 'overall' end
             as grouping_set,
           service_id,
           week,
           count(*)::int as deploys,
           count(*) filter (where failed)::int as failures,
           count(*) filter (where failed and (rolled_back or status = 'ROLLED_BACK'))::int as rolled_back,
           -- lead time is to live: a deploy that failed after its switch did not stay live
           percentile_cont(0.5) within group (order by extract(epoch from finished_at - release_created_at)::float8)
             filter (where status = 'SUCCEEDED') as lead_seconds,
           percentile_cont(0.5) within group (order by extract(epoch from finished_at - committed_at)::float8)
             filter (where status = 'SUCCEEDED') as commit_lead_seconds,
           count(committed_at) filter (where status = 'SUCCEEDED')::int as commit_lead_deploys,
           percentile_cont(0.5) within group (order by extract(epoch from recovered_at - failed_at)::float8)
             filter (where failed) as recovery_seconds,
           count(*) filter (where failed and recovered_at is not null)::int as recovered,
           count(*) filter (where failed and recovered_at is null)::int as unrecovered
    from (select t.*, ${week} as week from timed t) weeks
    group by grouping sets ((service_id), (), (week))`;
}

interface RawMetricsRow {
  grouping_set: "service" | "overall" | "week";
  service_id: string | null;
  week: Date | null;
  deploys: number;
  failures: number;
  rolled_back: number;
  lead_seconds: number | null;
  commit_lead_seconds: number | null;
  commit_lead_deploys: number;
  recovery_seconds: number | null;
  recovered: number;
  unrecovered: number;
}

/** The figures of one period from its counts and medians: the arithmetic and the bands. */
export function periodMetrics(
  period: { from: Date; to: Date },
  raw: Omit<RawMetricsRow, "grouping_set" | "service_id" | "week" | "rolled_back"> | undefined,
): PeriodMetrics {
  const days = (period.to.getTime() - period.from.getTime()) / (DAY * 1000);
  const deploys = raw?.deploys ?? 0;
  const failures = raw?.failures ?? 0;
  const perDay = deploysPerDay(deploys, days);
  const leadTimeSeconds = raw?.lead_seconds ?? null;
  const recoverySeconds = raw?.recovery_seconds ?? null;
  const rate = changeFailureRate(failures, deploys);
  return {
    from: period.from,
    to: period.to,
    days,
    deploys,
    perDay,
    perWeek: perDay === null ? null : perDay * 7,
    frequencyBand: deploymentFrequencyBand(perDay),
    leadTimeSeconds,
    leadTimeBand: leadTimeBand(leadTimeSeconds),
    commitLeadTimeSeconds: raw?.commit_lead_seconds ?? null,
    commitLeadTimeDeploys: raw?.commit_lead_deploys ?? 0,
    failures,
    changeFailureRate: rate,
    changeFailureBand: changeFailureRateBand(rate),
    recoverySeconds,
    recoveryBand: recoveryTimeBand(recoverySeconds),
    recovered: raw?.recovered ?? 0,
    unrecovered: raw?.unrecovered ?? 0,
  };
}

export interface DeliveryRecord {
  /** The overall row first (serviceId null), then one row per service. */
  metrics: MetricsRow[];
  /** The current period's production deploys per week that had any, by outcome. */
  weeks: WeekOutcome[];
}

/**
 * The metrics and the weekly outcomes for the scope. `serviceIds` are listed even without deploys
 * (with zeros), so the table lists every service. Each period is its own statement, so the two
 * run side by side on two connections (at 90 days, 6,000 deploys, each takes about half of the
 * one statement they replaced).
 */
export async function deliveryRecord(
  client: Pick<DbTx, "$queryRaw">,
  scope: MetricsScope,
  serviceIds: readonly string[] = [],
): Promise<DeliveryRecord> {
  const previous = { ...scope, ...previousPeriod(scope.from, scope.to) };
  const [currentRows, previousRows] = await Promise.all([
    client.$queryRaw<RawMetricsRow[]>(metricsSql(scope, { weeks: true })),
    client.$queryRaw<RawMetricsRow[]>(metricsSql(previous)),
  ]);
  const find = (rows: RawMetricsRow[], serviceId: string | null) =>
    rows.find((r) =>
      serviceId === null ? r.grouping_set === "overall" : r.grouping_set === "service" && r.service_id === serviceId,
    );
  const ids = [
    ...new Set([
      ...serviceIds,
      ...[...currentRows, ...previousRows].filter((r) => r.grouping_set === "service").map((r) => r.service_id!),
    ]),
  ];
  const metrics = [null, ...ids].map((serviceId) => ({
    serviceId,
    current: periodMetrics(scope, find(currentRows, serviceId)),
    previous: periodMetrics(previous, find(previousRows, serviceId)),
  }));
  const weeks = currentRows
    .filter((r): r is RawMetricsRow & { week: Date } => r.grouping_set === "week" && r.week !== null)
    .sort((a, b) => a.week.getTime() - b.week.getTime())
    .map((r) => ({
      week: r.week,
      succeeded: r.deploys - r.failures,
      failed: r.failures - r.rolled_back,
      rolledBack: r.rolled_back,
    }));
  return { metrics, weeks };
}

export async function deliveryMetrics(
  client: Pick<DbTx, "$queryRaw">,
  scope: MetricsScope,
  serviceIds: readonly string[] = [],
): Promise<MetricsRow[]> {
  return (await deliveryRecord(client, scope, serviceIds)).metrics;
}

export async function weeklyDeploys(client: Pick<DbTx, "$queryRaw">, scope: MetricsScope): Promise<WeekOutcome[]> {
  return (await deliveryRecord(client, scope)).weeks;
}
