import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

/** How many service cards the overview shows at most; the rest are on /services. */
export const OVERVIEW_CARDS = 24;
/** How many service cards a page of /services shows. */
export const SERVICES_PAGE_SIZE = 50;

/**
 * The overview's services: those needing attention first (releases waiting, runs in flight, an
 * open incident, or a target whose last run failed), then the rest by name, up to `limit`.
 * A card per service for 1,000 services was 9.5 MB of HTML and seconds to render (docs/scale.md).
 */
export async function servicesOverview(limit = OVERVIEW_CARDS) {
  const ranked = await db.$queryRaw<{ id: string; name: string; attention: boolean; total: number }[]>`
    with pending as (
      select distinct service_id from releases where status in ('PENDING', 'APPROVED')
    ), in_flight as (
      select distinct service_id from deployment_runs where status in ('QUEUED', 'RUNNING', 'PAUSED')
    ), incident as (
      -- The literal predicate lets the planner use the partial index of open incidents.
      select distinct service_id from incidents where status <> 'RESOLVED' and service_id is not null
    ), failed as (
      select distinct t.service_id from service_targets t cross join lateral (
        select status from deployment_runs d
         where d.service_id = t.service_id and d.environment_id = t.environment_id and not d.dry_run
         order by d.created_at desc limit 1) last
       where last.status in ('FAILED', 'ROLLED_BACK')
    )
    select s.id, s.name,
           (s.id in (select service_id from pending) or s.id in (select service_id from in_flight)
             or s.id in (select service_id from incident) or s.id in (select service_id from failed)) as attention,
           (count(*) over ())::int as total
      from services s
     order by attention desc, s.name
     limit ${limit}`;
  const total = ranked[0]?.total ?? 0;
  // When every service fits, they keep the plain name order the overview always had.
  if (total <= limit) ranked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    services: await serviceCards(ranked.map((r) => r.id)),
    total,
    needingAttention: ranked.filter((r) => r.attention).length,
  };
}

/**
 * One page of /services by name (keyset: the names after `after`), optionally only the names or
 * display names containing `query`; `next` is the name to continue after, or null on the last page.
 */
export async function servicesPage({ after, query }: { after?: string; query?: string } = {}) {
  const contains = query ? { contains: query, mode: "insensitive" as const } : undefined;
  const where = contains ? { OR: [{ name: contains }, { displayName: contains }] } : {};
  const [rows, total] = await Promise.all([
    db.service.findMany({
      where: { ...where, ...(after ? { name: { gt: after } } : {}) },
      orderBy: { name: "asc" },
      take: SERVICES_PAGE_SIZE + 1,
      select: { id: true, name: true },
    }),
    db.service.count({ where }),
  ]);
  const shown = rows.slice(0, SERVICES_PAGE_SIZE);
  return {
    services: await serviceCards(shown.map((r) => r.id)),
    total,
    next: rows.length > SERVICES_PAGE_SIZE ? shown.at(-1)!.name : null,
  };
}

/** These services (in this order), each with its per-environment target and what was last deployed there. */
async function serviceCards(ids: string[]) {
  if (ids.length === 0) return [];
  const [services, deployed, pending] = await Promise.all([
    db.service.findMany({
      where: { id: { in: ids } },
      include: { targets: { include: { environment: true }, orderBy: { environment: { position: "asc" } } } },
    }),
    // The newest deployed release per target: one probe of releases_deployed_per_target_idx per
    // target. `distinct on` over every deployed release sorted them all on disk instead.
    db.$queryRaw<
      {
        id: string;
        number: number;
        serviceId: string;
        environmentId: string;
        imageRef: string;
        deployedAt: Date | null;
      }[]
    >`
      select l.* from service_targets t cross join lateral (
        select id, number, service_id as "serviceId", environment_id as "environmentId",
               image_ref as "imageRef", deployed_at as "deployedAt"
          from releases r
         where r.service_id = t.service_id and r.environment_id = t.environment_id and r.status = 'DEPLOYED'
         order by deployed_at desc nulls last limit 1) l
       where t.service_id in (${Prisma.join(ids)})`,
    db.release.groupBy({
      by: ["serviceId", "environmentId"],
      where: { serviceId: { in: ids }, status: { in: ["PENDING", "APPROVED"] } },
      _count: { _all: true },
    }),
  ]);
  const key = (s: string, e: string) => `${s}/${e}`;
  const live = new Map(deployed.map((d) => [key(d.serviceId, d.environmentId), d]));
  const waiting = new Map(pending.map((p) => [key(p.serviceId, p.environmentId), p._count._all]));
  const byId = new Map(services.map((s) => [s.id, s]));
  return ids.flatMap((id) => {
    const service = byId.get(id);
    if (!service) return [];
    return [
      {
        ...service,
        environments: service.targets.map((target) => ({
          target,
          environment: target.environment,
          live: live.get(key(service.id, target.environmentId)) ?? null,
          pendingReleases: waiting.get(key(service.id, target.environmentId)) ?? 0,
        })),
      },
    ];
  });
}

export type ServiceOverview = Awaited<ReturnType<typeof serviceCards>>[number];

export function getServiceByName(name: string) {
  return db.service.findUnique({
    where: { name },
    include: {
      targets: { include: { environment: true }, orderBy: { environment: { position: "asc" } } },
      releases: {
        orderBy: { createdAt: "desc" },
        take: 10,
        include: { environment: true, createdBy: { select: { name: true } } },
      },
    },
  });
}

export type ServiceDetail = NonNullable<Awaited<ReturnType<typeof getServiceByName>>>;

/** The ids behind a service name and an environment name, or null when either does not exist. */
export async function serviceAndEnvironmentIds(serviceName: string, environmentName: string) {
  const [service, environment] = await Promise.all([
    db.service.findUnique({ where: { name: serviceName }, select: { id: true } }),
    db.environment.findUnique({ where: { name: environmentName }, select: { id: true } }),
  ]);
  return service && environment ? { serviceId: service.id, environmentId: environment.id } : null;
}
