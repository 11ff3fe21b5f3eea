import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ReleaseFilter } from "@/lib/schemas/release";

export const RELEASES_PAGE_SIZE = 20;

export async function listReleases(filter: ReleaseFilter) {
  const where: Prisma.ReleaseWhereInput = {
    ...(filter.service ? { service: { name: filter.service } } : {}),
    ...(filter.environment ? { environment: { name: filter.environment } } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  const [total, releases] = await Promise.all([
    db.release.count({ where }),
    db.release.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (filter.page - 1) * RELEASES_PAGE_SIZE,
      take: RELEASES_PAGE_SIZE,
      include: {
        service: { select: { name: true, displayName: true } },
        environment: { select: { name: true, displayName: true } },
        createdBy: { select: { name: true } },
      },
    }),
  ]);
  return { total, releases, pageCount: Math.max(1, Math.ceil(total / RELEASES_PAGE_SIZE)) };
}

export function getRelease(id: string) {
  return db.release.findUnique({
    where: { id },
    include: {
      service: true,
      environment: true,
      createdBy: { select: { id: true, name: true, email: true } },
      revisions: { orderBy: { revision: "desc" }, include: { createdBy: { select: { name: true } } } },
      checklist: { orderBy: { position: "asc" }, include: { checkedBy: { select: { name: true } } } },
      overrides: { include: { user: { select: { name: true } } } },
    },
  });
}


/** Services with their environments, for the release form and the filters. */
export function listServiceTargets() {
  return db.service.findMany({
    orderBy: { name: "asc" },
    include: {
      targets: {
        include: { environment: true },
        orderBy: { environment: { position: "asc" } },
      },
    },
  });
}

export function listEnvironments() {
  return db.environment.findMany({ orderBy: { position: "asc" } });
}
