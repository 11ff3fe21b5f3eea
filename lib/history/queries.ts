import "server-only";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { deliveryRecord, PRODUCTION, type MetricsRow, type MetricsScope } from "@/lib/history/metrics";
import { fillWeeks } from "@/lib/history/weeks";
import { encodeReleaseCursor, HISTORY_PAGE_SIZE, type ParsedHistoryQuery } from "@/lib/schemas/history";

export interface NamedMetricsRow extends MetricsRow {
  name: string;
  displayName: string;
}

function scopeOf(query: ParsedHistoryQuery): MetricsScope {
  return {
    from: query.period.from,
    to: query.period.to,
    service: query.service,
    environment: query.environment ?? PRODUCTION,
  };
}

/** The services the metrics table lists (those with a target in the metrics' environment), by name. */
async function servicesIn(environment: string, service?: string) {
  return db.service.findMany({
    where: { ...(service ? { name: service } : {}), targets: { some: { environment: { name: environment } } } },
    orderBy: { displayName: "asc" },
    select: { id: true, name: true, displayName: true },
  });
}

/** The four metrics overall (first) and per service, this period and the one before; the weeks by outcome. */
async function historyRecord(query: ParsedHistoryQuery) {
  const scope = scopeOf(query);
  const services = await servicesIn(scope.environment!, query.service);
  const { metrics, weeks } = await deliveryRecord(
    db,
    scope,
    services.map((s) => s.id),
  );
  const names = new Map(services.map((s) => [s.id, s]));
  const named: NamedMetricsRow[] = metrics
    .filter((r) => r.serviceId === null || names.has(r.serviceId))
    .map((r) => {
      const service = r.serviceId ? names.get(r.serviceId)! : null;
      return { ...r, name: service?.name ?? "", displayName: service?.displayName ?? "All services" };
    });
  return { metrics: named, weeks: fillWeeks(scope.from, scope.to, weeks) };
}

/** The four metrics overall (first) and per service, this period and the one before. */
export async function historyMetrics(query: ParsedHistoryQuery): Promise<NamedMetricsRow[]> {
  return (await historyRecord(query)).metrics;
}

/** How many services the page's per-service table shows; the CSV export has them all. */
export const HISTORY_SERVICE_ROWS = 25;

/**
 * The page's metrics: overall, and the `limit` services with the most deploys in the period (in
 * the metrics' environment). A row for each of 1,000 services was 5.3 MB of HTML (docs/scale.md).
 * When every service fits they keep the table's name order. With them, production deploys per
 * week of the period by outcome, every week present (one statement judges the deploys for both).
 */
export async function historyMetricsForPage(query: ParsedHistoryQuery, limit = HISTORY_SERVICE_ROWS) {
  const {
    metrics: [overall, ...perService],
    weeks,
  } = await historyRecord(query);
  const shown =
    perService.length <= limit
      ? perService
      : [...perService]
          .sort(
            (a, b) =>
              b.current.deploys - a.current.deploys ||
              (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0),
          )
          .slice(0, limit);
  return { overall, perService: shown, totalServices: perService.length, weeks };
}

/**
 * Releases created in the period, newest first, 50 a page by keyset (created_at, id): the
 * (created_at desc, id desc) index, or (service, environment, created_at) when both are chosen.
 * Each with who signed for each role on the revision that shipped, and how it ended.
 */
export async function historyReleases(query: ParsedHistoryQuery) {
  const { period, cursor } = query;
  const where: Prisma.ReleaseWhereInput = {
    createdAt: { gte: period.from, lt: period.to },
    ...(query.service ? { service: { name: query.service } } : {}),
    ...(query.environment ? { environment: { name: query.environment } } : {}),
    ...(cursor
      ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
      : {}),
  };
  const rows = await db.release.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: HISTORY_PAGE_SIZE + 1,
    select: {
      id: true,
      number: true,
      imageRef: true,
      status: true,
      revision: true,
      createdAt: true,
      deployedAt: true,
      commitSha: true,
      service: { select: { name: true, displayName: true } },
      environment: { select: { name: true, displayName: true } },
      createdBy: { select: { name: true } },
      approvals: {
        where: { decision: "APPROVED", withdrawnAt: null },
        orderBy: { createdAt: "asc" },
        select: { role: true, revision: true, createdAt: true, user: { select: { name: true } } },
      },
    },
  });
  const page = rows.slice(0, HISTORY_PAGE_SIZE);
  const last = page.at(-1);
  return {
    releases: page.map(({ approvals, ...release }) => ({
      ...release,
      // Only the sign-offs of the revision that shipped: earlier revisions' were voided by an edit.
      approvals: approvals.filter((a) => a.revision === release.revision),
    })),
    next: rows.length > HISTORY_PAGE_SIZE && last ? encodeReleaseCursor(last) : null,
  };
}

export type HistoryReleases = Awaited<ReturnType<typeof historyReleases>>;
export type HistoryRelease = HistoryReleases["releases"][number];

/** The filters' choices. */
export async function historyFilterOptions() {
  const [services, environments] = await Promise.all([
    db.service.findMany({ orderBy: { displayName: "asc" }, select: { name: true, displayName: true } }),
    db.environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true } }),
  ]);
  return { services, environments };
}
