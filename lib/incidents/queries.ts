import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { IncidentFilters } from "@/lib/schemas/incidents";

/** The newest incidents first, with where they happened. */
export function listRecentIncidents(take = 50) {
  return db.incident.findMany({ orderBy: { openedAt: "desc" }, take, include: { service: true, environment: true } });
}

export type IncidentListItem = Awaited<ReturnType<typeof listRecentIncidents>>[number];

/*
 * Open incidents are asked with the literal `status <> 'RESOLVED'`: Prisma sends the enum as a cast
 * parameter, which the planner cannot match to the partial index incidents_open_opened_at_id_idx,
 * so it read every incident instead of the few open ones (docs/scale.md). `in (…)` is worse: its
 * estimate walks the whole opened_at index.
 */
export async function countOpenIncidents(): Promise<number> {
  const [row] = await db.$queryRaw<
    { n: number }[]
  >`select count(*)::int as n from incidents where status <> 'RESOLVED'`;
  return row?.n ?? 0;
}

/** One page of open incidents' ids, newest first, through the partial index (see countOpenIncidents). */
async function openIncidentIds(
  severity: IncidentFilters["severity"] | undefined,
  cursor: string | undefined,
  take: number,
) {
  const rows = await db.$queryRaw<{ id: string }[]>`
    select id from incidents
     where status <> 'RESOLVED'
       ${severity ? Prisma.sql`and severity = ${severity}::"Severity"` : Prisma.empty}
       ${cursor ? Prisma.sql`and (opened_at, id) < (select opened_at, id from incidents where id = ${cursor})` : Prisma.empty}
     order by opened_at desc, id desc
     limit ${take}`;
  return rows.map((r) => r.id);
}

export const INCIDENT_PAGE_SIZE = 50;

/**
 * The incident list, newest first, filtered as the URL says; a page ends with the cursor of the
 * next one (keyset on opened_at, id: no OFFSET).
 */
export async function listIncidents(filters: Partial<IncidentFilters>) {
  const status = filters.status ?? "open";
  // The open view picks its page by raw SQL (the partial index), then loads those rows as below.
  const openIds =
    status === "open" ? await openIncidentIds(filters.severity, filters.cursor, INCIDENT_PAGE_SIZE + 1) : null;
  const where: Prisma.IncidentWhereInput = openIds
    ? { id: { in: openIds } }
    : {
        ...(status === "resolved" ? { status: "RESOLVED" } : {}),
        ...(filters.severity ? { severity: filters.severity } : {}),
      };
  const rows = await db.incident.findMany({
    where,
    orderBy: [{ openedAt: "desc" }, { id: "desc" }],
    take: INCIDENT_PAGE_SIZE + 1,
    ...(filters.cursor && !openIds ? { cursor: { id: filters.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      number: true,
      title: true,
      severity: true,
      status: true,
      source: true,
      openedAt: true,
      acknowledgedAt: true,
      restoredAt: true,
      service: { select: { name: true, displayName: true } },
      environment: { select: { name: true, displayName: true } },
      commander: { select: { name: true } },
    },
  });
  const items = rows.slice(0, INCIDENT_PAGE_SIZE);
  return { items, nextCursor: rows.length > INCIDENT_PAGE_SIZE ? items.at(-1)!.id : null };
}

export type IncidentRow = Awaited<ReturnType<typeof listIncidents>>["items"][number];

const person = { select: { id: true, name: true } } as const;

/** One incident with everything its page shows; by id, or by its number ("42" for INC-42). */
export async function incidentDetail(idOrNumber: string) {
  const where: Prisma.IncidentWhereUniqueInput = /^\d{1,9}$/.test(idOrNumber)
    ? { number: Number(idOrNumber) }
    : { id: idOrNumber };
  return db.incident.findUnique({
    where,
    include: {
      service: { select: { id: true, name: true, displayName: true } },
      environment: { select: { id: true, name: true, displayName: true } },
      release: { select: { id: true, number: true, imageRef: true } },
      commander: person,
      openedBy: person,
      acknowledgedBy: person,
      resolvedBy: person,
      runs: {
        orderBy: { createdAt: "asc" },
        include: {
          run: {
            select: {
              id: true,
              kind: true,
              status: true,
              strategy: true,
              toImage: true,
              fromImage: true,
              createdAt: true,
              finishedAt: true,
              requestedById: true,
              environment: { select: { displayName: true } },
            },
          },
        },
      },
      events: {
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        include: { actor: person, alert: { select: { alertname: true, state: true } } },
      },
      actionItems: { orderBy: { createdAt: "asc" }, include: { owner: person } },
    },
  });
}

export type IncidentDetail = NonNullable<Awaited<ReturnType<typeof incidentDetail>>>;

/** People who can command an incident or own an action item: anyone enabled with a role. */
export function listResponders() {
  return db.user.findMany({
    where: { disabledAt: null, roles: { some: {} } },
    orderBy: { name: "asc" },
    select: { id: true, name: true },
  });
}

/** Recent runs of the incident's service a person may link, newest first. */
export function linkableRuns(serviceId: string, take = 20) {
  return db.deploymentRun.findMany({
    where: { serviceId, kind: { in: ["DEPLOY", "ROLLBACK"] }, dryRun: false },
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      kind: true,
      status: true,
      toImage: true,
      createdAt: true,
      environment: { select: { displayName: true } },
    },
  });
}

/** What the "Declare incident" form offers: services with their environments, and recent releases. */
export async function incidentFormOptions() {
  const [services, releases] = await Promise.all([
    db.service.findMany({
      orderBy: { displayName: "asc" },
      select: {
        id: true,
        displayName: true,
        targets: { select: { environment: { select: { id: true, displayName: true, position: true } } } },
      },
    }),
    db.release.findMany({
      orderBy: { createdAt: "desc" },
      take: 100,
      select: { id: true, number: true, imageRef: true, serviceId: true, environmentId: true },
    }),
  ]);
  return {
    services: services.map((s) => ({
      id: s.id,
      displayName: s.displayName,
      environments: s.targets
        .map((t) => t.environment)
        .sort((a, b) => a.position - b.position)
        .map(({ id, displayName }) => ({ id, displayName })),
    })),
    releases,
  };
}
