import "server-only";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { GateChangePayload } from "@/lib/gate-changes/request";
import { confirmRefusal, type GateChangeKind } from "@/lib/gate-changes/rules";

/** Which changes a page shows: by kind (the admin pages) or by key prefix (a release's overrides). */
export type GateChangeScope = { kinds: GateChangeKind[] } | { keyPrefix: string };

const DECIDED_SHOWN = 5;

function whereOf(scope: GateChangeScope): Prisma.GateChangeWhereInput {
  return "kinds" in scope ? { kind: { in: scope.kinds } } : { key: { startsWith: scope.keyPrefix } };
}

/**
 * The changes waiting for a second admin in this scope, each with why `viewer` may not confirm it
 * (null when they may), and the last few decided, so the page shows who confirmed what.
 */
export async function gateChangesFor(scope: GateChangeScope, viewer: CurrentUser, now = new Date()) {
  const person = { select: { name: true } } as const;
  const [pending, decided] = await Promise.all([
    db.gateChange.findMany({
      where: { ...whereOf(scope), status: "PENDING", expiresAt: { gt: now } },
      orderBy: { requestedAt: "asc" },
      include: { requestedBy: person },
    }),
    // Decided, and lapsed (still PENDING in the table until someone asks again), newest first.
    db.gateChange.findMany({
      where: {
        ...whereOf(scope),
        OR: [{ status: { not: "PENDING" } }, { status: "PENDING", expiresAt: { lte: now } }],
      },
      orderBy: [{ decidedAt: { sort: "desc", nulls: "last" } }, { expiresAt: "desc" }],
      take: DECIDED_SHOWN * 2,
      include: { requestedBy: person, decidedBy: person },
    }),
  ]);
  return {
    pending: pending.map((c) => {
      const payload = c.payload as unknown as GateChangePayload;
      return {
        id: c.id,
        summary: c.summary,
        requestedBy: c.requestedBy.name,
        requestedAt: c.requestedAt,
        expiresAt: c.expiresAt,
        mine: c.requestedById === viewer.id,
        refusal: confirmRefusal(
          { ...c, subjectUserId: payload.kind === "ROLE_GRANT" ? payload.userId : null },
          viewer.id,
          now,
        ),
      };
    }),
    decided: decided
      .map((c) => ({
        id: c.id,
        summary: c.summary,
        status: c.status === "PENDING" ? ("EXPIRED" as const) : c.status,
        requestedBy: c.requestedBy.name,
        decidedBy: c.decidedBy?.name ?? null,
        decidedAt: c.decidedAt ?? c.expiresAt,
      }))
      .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
      .slice(0, DECIDED_SHOWN),
  };
}

export type GateChangesView = Awaited<ReturnType<typeof gateChangesFor>>;
