import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import {
  AUTOMATIC,
  LOG_PAGE_SIZE,
  type LogCursor,
  type LogEntry,
  type LogFilter,
  type LogKind,
  type RunOutcome,
  untilExclusive,
} from "@/lib/deploy/log";
import type { DeploymentLogQuery } from "@/lib/schemas/deployment-log";

/*
 * The deployment log is two tables read as one list: runs (deploys and rollbacks) and run controls
 * (a person's promote or abort of a running canary). Both branches are ordered by their own
 * (time desc, id desc) and cut to the page size before they are merged, so a page costs two short
 * index scans however long the log is: deployment_runs by deployment_runs_created_at_id_idx (or the
 * (service, environment, created_at) index when filtered by both); run_controls are few (one per
 * canary a person steered) and sorted whole. Names, release numbers and the approvers are joined
 * only for the rows of the page. Paging is keyset on (at, id): no OFFSET, no count.
 */

/** A row as the SQL returns it; the same shape through Prisma and through a pg cursor. */
export interface LogRow {
  source: "run" | "control";
  id: string;
  run_id: string;
  kind: string;
  at: Date;
  status: string;
  strategy: string;
  from_image: string | null;
  to_image: string | null;
  requested_by_id: string | null;
  requested_by_name: string | null;
  release_id: string | null;
  release_number: number | null;
  revision: number | null;
  started_at: Date | null;
  finished_at: Date | null;
  reason: string | null;
  outcome: string | null;
  dry_run: boolean;
  service_name: string;
  service_display_name: string;
  environment_name: string;
  environment_display_name: string;
  approvers: { name: string; role: string }[] | string | null;
}

interface Page {
  /** Rows strictly older (before) or newer (after) than this entry. */
  before?: LogCursor;
  after?: LogCursor;
  /** At most this many rows; none: every row (the export). */
  limit?: number;
}

const RUN_KINDS: Record<LogKind, string> = {
  deploy: "DEPLOY",
  rollback: "ROLLBACK",
  promote: "PROMOTE",
  abort: "ABORT",
};

function and(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length ? Prisma.sql`where ${Prisma.join(conditions, " and ")}` : Prisma.empty;
}

/** Conditions on the run an entry is about (`r`). */
function onRun(filter: LogFilter): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  // Resolved once by PostgreSQL, so the run's (service_id, environment_id, created_at) index applies.
  if (filter.service) where.push(Prisma.sql`r.service_id = (select id from services where name = ${filter.service})`);
  if (filter.environment)
    where.push(Prisma.sql`r.environment_id = (select id from environments where name = ${filter.environment})`);
  if (filter.outcome) where.push(Prisma.sql`r.status = ${filter.outcome}::"RunStatus"`);
  return where;
}

/** Conditions on the entry's own time (and id, for the page's keyset). */
function onTime(filter: LogFilter, at: Prisma.Sql, id: Prisma.Sql, page: Page): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (filter.from) where.push(Prisma.sql`${at} >= ${filter.from}::timestamptz`);
  if (filter.to) where.push(Prisma.sql`${at} < ${untilExclusive(filter.to)}::timestamptz`);
  if (page.before) where.push(Prisma.sql`(${at}, ${id}) < (${page.before.at}::timestamptz, ${page.before.id}::text)`);
  if (page.after) where.push(Prisma.sql`(${at}, ${id}) > (${page.after.at}::timestamptz, ${page.after.id}::text)`);
  return where;
}

/** The log's SQL for a filter and a page: newest first, or oldest first when reading `after`. */
export function logSql(filter: LogFilter, page: Page = {}): Prisma.Sql {
  const direction = page.after ? Prisma.raw("asc") : Prisma.raw("desc");
  const limit = page.limit === undefined ? Prisma.empty : Prisma.sql`limit ${page.limit}`;
  const branches: Prisma.Sql[] = [];

  {
    const where = [...onRun(filter), ...onTime(filter, Prisma.sql`r.created_at`, Prisma.sql`r.id`, page)];
    if (filter.kind) where.push(Prisma.sql`r.kind = ${RUN_KINDS[filter.kind]}::"RunKind"`);
    if (filter.person === AUTOMATIC) where.push(Prisma.sql`r.requested_by_id is null`);
    else if (filter.person) where.push(Prisma.sql`r.requested_by_id = ${filter.person}`);
    branches.push(Prisma.sql`(
      select 'run' as source, r.id, r.id as run_id, lower(r.kind::text) as kind, r.created_at as at,
             r.status::text as status, r.service_id, r.environment_id, r.strategy::text as strategy,
             r.from_image, r.to_image, r.requested_by_id, r.release_id, r.revision,
             r.started_at, r.finished_at, r.reason, r.outcome, r.dry_run
        from deployment_runs r
        ${and(where)}
       order by r.created_at ${direction}, r.id ${direction}
       ${limit})`);
  }

  // Promote and abort are controls a person made; a deploy/rollback filter or "automatic" excludes them.
  const controlKinds = filter.kind
    ? [filter.kind].filter((k) => k === "promote" || k === "abort")
    : ["promote", "abort"];
  if (controlKinds.length && filter.person !== AUTOMATIC) {
    const own = onTime(filter, Prisma.sql`c.requested_at`, Prisma.sql`c.id`, page);
    own.push(Prisma.sql`c.action in (${Prisma.join(controlKinds)})`);
    if (filter.person) own.push(Prisma.sql`c.requested_by_id = ${filter.person}`);
    const runSide = onRun(filter);
    const order = Prisma.sql`order by c.requested_at ${direction}, c.id ${direction}`;
    // Without conditions on the run, the page of controls is cut before their runs are looked up.
    const controls = runSide.length
      ? Prisma.sql`run_controls c`
      : Prisma.sql`(select * from run_controls c ${and(own)} ${order} ${limit}) c`;
    branches.push(Prisma.sql`(
      select 'control' as source, c.id, c.run_id, c.action as kind, c.requested_at as at,
             r.status::text as status, r.service_id, r.environment_id, r.strategy::text as strategy,
             r.from_image, r.to_image, c.requested_by_id, r.release_id, r.revision,
             c.requested_at as started_at, c.applied_at as finished_at, null::text as reason, c.outcome, r.dry_run
        from ${controls}
        -- "limit 1" keeps this a lookup by primary key per control: flattened into a plain join, the
        -- planner hashes every run (a scan of the whole table) to match a few thousand controls.
        cross join lateral (
          select r.status, r.service_id, r.environment_id, r.strategy, r.from_image, r.to_image,
                 r.release_id, r.revision, r.dry_run
            from deployment_runs r
           where r.id = c.run_id
           limit 1) r
        ${runSide.length ? and([...own, ...runSide]) : Prisma.empty}
       ${order}
       ${limit})`);
  }

  // The export (no limit) aggregates the sign-offs once per (release, revision) and joins them:
  // a subquery per row took 13.8 s of a 103,173-row export, the join 3.0 s (docs/scale.md). A page
  // of 51 rows is better served by its 51 subqueries.
  const whole = page.limit === undefined;
  const approversCte = whole
    ? Prisma.sql`approvers as (
      select a.release_id, a.revision,
             json_agg(json_build_object('name', au.name, 'role', a.role::text) order by a.role, au.name) as approvers
        from approvals a
        join users au on au.id = a.user_id
       where a.decision = 'APPROVED' and a.withdrawn_at is null
       group by a.release_id, a.revision
    ),`
    : Prisma.empty;
  const approvers = whole
    ? Prisma.sql`coalesce(ap.approvers, '[]'::json) as approvers`
    : Prisma.sql`(select coalesce(json_agg(json_build_object('name', au.name, 'role', a.role::text) order by a.role, au.name), '[]'::json)
              from approvals a
              join users au on au.id = a.user_id
             where a.release_id = p.release_id and a.revision = p.revision
               and a.decision = 'APPROVED' and a.withdrawn_at is null) as approvers`;
  const approversJoin = whole
    ? Prisma.sql`left join approvers ap on ap.release_id = p.release_id and ap.revision = p.revision`
    : Prisma.empty;

  return Prisma.sql`
    with ${approversCte} page as (
      select * from (${Prisma.join(branches, " union all ")}) entries
       order by at ${direction}, id ${direction}
       ${limit}
    )
    select p.source, p.id, p.run_id, p.kind, p.at, p.status, p.strategy, p.from_image, p.to_image,
           p.requested_by_id, u.name as requested_by_name, p.release_id, rel.number as release_number, p.revision,
           p.started_at, p.finished_at, p.reason, p.outcome, p.dry_run,
           s.name as service_name, s.display_name as service_display_name,
           e.name as environment_name, e.display_name as environment_display_name,
           ${approvers}
      from page p
      join services s on s.id = p.service_id
      join environments e on e.id = p.environment_id
      left join users u on u.id = p.requested_by_id
      left join releases rel on rel.id = p.release_id
      ${approversJoin}
     order by p.at desc, p.id desc`;
}

/** A row of logSql as the page and the export use it. */
export function toLogEntry(row: LogRow): LogEntry {
  const approvers = typeof row.approvers === "string" ? JSON.parse(row.approvers) : (row.approvers ?? []);
  return {
    source: row.source,
    id: row.id,
    runId: row.run_id,
    kind: row.kind as LogKind,
    at: row.at,
    status: row.status as RunOutcome,
    service: { name: row.service_name, displayName: row.service_display_name },
    environment: { name: row.environment_name, displayName: row.environment_display_name },
    strategy: row.strategy as LogEntry["strategy"],
    fromImage: row.from_image,
    toImage: row.to_image,
    requestedBy:
      row.requested_by_id && row.requested_by_name ? { id: row.requested_by_id, name: row.requested_by_name } : null,
    approvers,
    release:
      row.release_id && row.release_number !== null
        ? { id: row.release_id, number: row.release_number, revision: row.revision }
        : null,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    reason: row.reason,
    outcome: row.outcome,
    dryRun: row.dry_run,
  };
}

export interface LogPage {
  entries: LogEntry[];
  /** Where the "Newer" link starts (null on the first page). */
  newer: LogCursor | null;
  /** Where the "Older" link starts (null on the last page). */
  older: LogCursor | null;
}

const cursorOf = (entry: LogEntry): LogCursor => ({ at: entry.at, id: entry.id });

/**
 * One page of the log: the newest entries, or those older than `before`, or the page just newer
 * than `after`. One row more than a page is read to know whether another page follows.
 */
export async function deploymentLogPage(query: DeploymentLogQuery, pageSize = LOG_PAGE_SIZE): Promise<LogPage> {
  const { before, after, ...filter } = query;
  const read = async (page: Page) =>
    (await db.$queryRaw<LogRow[]>(logSql(filter, { ...page, limit: pageSize + 1 }))).map(toLogEntry);

  if (after) {
    const rows = await read({ after });
    // Back at the top: show the first page as it is now, full, rather than a short "newer" page.
    if (rows.length <= pageSize) return deploymentLogPage(filter, pageSize);
    // Rows come newest first; the extra one is the newest, beyond this page.
    const entries = rows.slice(1);
    return { entries, newer: cursorOf(entries[0]), older: cursorOf(entries[entries.length - 1]) };
  }
  const rows = await read({ before });
  const entries = rows.slice(0, pageSize);
  return {
    entries,
    newer: before && entries.length ? cursorOf(entries[0]) : null,
    older: rows.length > pageSize ? cursorOf(entries[entries.length - 1]) : null,
  };
}

/** What the filter form offers: services, environments and people. */
export async function deploymentLogOptions() {
  const [services, environments, people] = await Promise.all([
    db.service.findMany({ orderBy: { displayName: "asc" }, select: { name: true, displayName: true } }),
    db.environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true } }),
    // Everyone, disabled people too: their runs stay in the log. (Asking which people ever requested
    // a run would scan the runs, which have no index by requester.)
    db.user.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { services, environments, people };
}

export type DeploymentLogOptions = Awaited<ReturnType<typeof deploymentLogOptions>>;

/**
 * A run's permalink page: the run as the log shows it, every step event in order (with what was
 * sent and what came back), the promote/abort requests made to it, its release's sign-offs and
 * the incidents it is linked to (as cause or remedy, or named in an incident's timeline).
 */
export async function runDetail(runId: string) {
  const run = await db.deploymentRun.findUnique({
    where: { id: runId },
    include: {
      service: { select: { name: true, displayName: true } },
      environment: { select: { name: true, displayName: true } },
      requestedBy: { select: { id: true, name: true } },
      release: {
        select: {
          id: true,
          number: true,
          imageRef: true,
          status: true,
          revision: true,
          approvals: {
            orderBy: [{ revision: "desc" }, { createdAt: "asc" }],
            select: {
              id: true,
              revision: true,
              role: true,
              decision: true,
              comment: true,
              withdrawnAt: true,
              createdAt: true,
              user: { select: { name: true } },
            },
          },
        },
      },
      events: { orderBy: { seq: "asc" } },
      controls: { orderBy: { requestedAt: "asc" }, include: { requestedBy: { select: { name: true } } } },
      incidentLinks: {
        orderBy: { createdAt: "asc" },
        include: {
          incident: { select: { id: true, number: true, title: true, severity: true, status: true, openedAt: true } },
        },
      },
    },
  });
  if (!run) return null;
  // Incidents whose timeline names this run without a cause/remedy link.
  const mentioned = await db.incident.findMany({
    where: { events: { some: { runId } }, id: { notIn: run.incidentLinks.map((l) => l.incidentId) } },
    orderBy: { openedAt: "asc" },
    select: { id: true, number: true, title: true, severity: true, status: true, openedAt: true },
  });
  const approvals = run.release?.approvals ?? [];
  const entry: LogEntry = {
    source: "run",
    id: run.id,
    runId: run.id,
    kind: run.kind.toLowerCase() as LogKind,
    at: run.createdAt,
    status: run.status,
    service: run.service,
    environment: run.environment,
    strategy: run.strategy,
    fromImage: run.fromImage,
    toImage: run.toImage,
    requestedBy: run.requestedBy,
    approvers: approvals
      .filter((a) => a.revision === run.revision && a.decision === "APPROVED" && !a.withdrawnAt)
      .map((a) => ({ name: a.user.name, role: a.role })),
    release: run.release ? { id: run.release.id, number: run.release.number, revision: run.revision } : null,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    reason: run.reason,
    outcome: run.outcome,
    dryRun: run.dryRun,
  };
  return {
    entry,
    run: {
      currentStep: run.currentStep,
      trafficSwitchedAt: run.trafficSwitchedAt,
      verification: run.verification,
      verificationNote: run.verificationNote,
      verifyUntil: run.verifyUntil,
      rollbackTarget: run.rollbackTarget,
    },
    release: run.release ? { id: run.release.id, number: run.release.number, imageRef: run.release.imageRef } : null,
    signOffs: approvals.map((a) => ({
      id: a.id,
      revision: a.revision,
      role: a.role,
      decision: a.decision,
      comment: a.comment,
      withdrawnAt: a.withdrawnAt,
      at: a.createdAt,
      name: a.user.name,
      // Sign-offs of other revisions did not approve what this run deployed.
      forThisRun: a.revision === run.revision,
    })),
    events: run.events.map((e) => ({
      id: e.id.toString(),
      seq: e.seq,
      step: e.step,
      phase: e.phase,
      message: e.message,
      at: e.createdAt,
      request: e.request,
      response: e.response,
    })),
    controls: run.controls.map((c) => ({
      id: c.id,
      action: c.action,
      requestedBy: c.requestedBy.name,
      requestedAt: c.requestedAt,
      appliedAt: c.appliedAt,
      outcome: c.outcome,
    })),
    incidents: [
      ...run.incidentLinks.map((l) => ({ ...l.incident, relation: l.relation })),
      ...mentioned.map((i) => ({ ...i, relation: "timeline" })),
    ],
  };
}

export type RunDetail = NonNullable<Awaited<ReturnType<typeof runDetail>>>;
