import "server-only";
import { db } from "@/lib/db";

/** Services, each with its per-environment target and what was last deployed there. */
export async function servicesOverview() {
  const [services, deployed, pending] = await Promise.all([
    db.service.findMany({
      orderBy: { name: "asc" },
      include: { targets: { include: { environment: true }, orderBy: { environment: { position: "asc" } } } },
    }),
    // The newest deployed release per service and environment, found by PostgreSQL, not by
    // loading every deployed release (Prisma's `distinct` filters in memory).
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
      select distinct on (service_id, environment_id)
             id, number, service_id as "serviceId", environment_id as "environmentId", image_ref as "imageRef", deployed_at as "deployedAt"
        from releases
       where status = 'DEPLOYED'
       order by service_id, environment_id, deployed_at desc nulls last`,
    db.release.groupBy({
      by: ["serviceId", "environmentId"],
      where: { status: { in: ["PENDING", "APPROVED"] } },
      _count: { _all: true },
    }),
  ]);
  const key = (s: string, e: string) => `${s}/${e}`;
  const live = new Map(deployed.map((d) => [key(d.serviceId, d.environmentId), d]));
  const waiting = new Map(pending.map((p) => [key(p.serviceId, p.environmentId), p._count._all]));
  return services.map((service) => ({
    ...service,
    environments: service.targets.map((target) => ({
      target,
      environment: target.environment,
      live: live.get(key(service.id, target.environmentId)) ?? null,
      pendingReleases: waiting.get(key(service.id, target.environmentId)) ?? 0,
    })),
  }));
}

export type ServiceOverview = Awaited<ReturnType<typeof servicesOverview>>[number];

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
