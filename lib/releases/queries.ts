import "server-only";
import { findReleaseGate } from "@/lib/approvals/gate";
import { db } from "@/lib/db";
import { activeRunFor, latestDeployRunOf } from "@/lib/deploy/queries";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ReleaseStatus } from "@/lib/generated/prisma/enums";
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

export type ReleaseList = Awaited<ReturnType<typeof listReleases>>;

export function getRelease(id: string) {
  return db.release.findUnique({
    where: { id },
    include: {
      service: true,
      environment: true,
      createdBy: { select: { id: true, name: true, email: true } },
      revisions: { orderBy: { revision: "desc" }, include: { createdBy: { select: { name: true } } } },
      checklist: { orderBy: { position: "asc" } },
      overrides: { include: { user: { select: { name: true } } } },
    },
  });
}

export type ReleaseForEdit = NonNullable<Awaited<ReturnType<typeof getRelease>>>;

/**
 * Everything the release page shows: the release and its gate from one read, its latest deploy,
 * and the run holding its target now. Null when there is no such release.
 */
export async function releaseDetail(id: string) {
  const [gate, lastRun] = await Promise.all([findReleaseGate(id), latestDeployRunOf(id)]);
  if (!gate) return null;
  const activeRun = await activeRunFor(gate.release.serviceId, gate.release.environmentId);
  return { release: gate.release, gate, lastRun, activeRun };
}

export type ReleaseDetail = NonNullable<Awaited<ReturnType<typeof releaseDetail>>>;

/** The newest releases anywhere, for the overview. */
export function recentReleases(take = 5) {
  return db.release.findMany({ orderBy: { createdAt: "desc" }, take, include: { service: true, environment: true } });
}

export type RecentRelease = Awaited<ReturnType<typeof recentReleases>>[number];

/** Where a release's story ends: what leadership reads in History. */
const FINISHED_RELEASE_STATUSES = ["DEPLOYED", "FAILED", "ROLLED_BACK"] as const satisfies readonly ReleaseStatus[];

/** The 50 releases that finished last, and how many ever finished each way. */
export async function releaseHistory() {
  const [releases, counts] = await Promise.all([
    db.release.findMany({
      where: { status: { in: [...FINISHED_RELEASE_STATUSES] } },
      orderBy: { updatedAt: "desc" },
      take: 50,
      include: { service: true, environment: true, createdBy: { select: { name: true } } },
    }),
    db.release.groupBy({
      by: ["status"],
      where: { status: { in: [...FINISHED_RELEASE_STATUSES] } },
      _count: { _all: true },
    }),
  ]);
  return {
    releases,
    counts: FINISHED_RELEASE_STATUSES.map((status) => ({
      status,
      count: counts.find((c) => c.status === status)?._count._all ?? 0,
    })),
  };
}

export type ReleaseHistory = Awaited<ReturnType<typeof releaseHistory>>;

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

export type ServiceWithTargets = Awaited<ReturnType<typeof listServiceTargets>>[number];

export function listEnvironments() {
  return db.environment.findMany({ orderBy: { position: "asc" } });
}

export type EnvironmentListItem = Awaited<ReturnType<typeof listEnvironments>>[number];
