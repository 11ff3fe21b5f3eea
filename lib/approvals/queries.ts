import "server-only";
import { db } from "@/lib/db";
import { isApproverRole, type Role } from "@/lib/roles";

/**
 * Releases the person can sign now: pending, in an environment that requires sign-offs, not
 * written or edited by them (unless allowed), not yet signed by them, with a role of theirs still open.
 * signRefusal (policy.ts) is the rule; this is its narrower SQL form, so a list of hundreds of
 * releases is one query (it leaves out failed releases and roles held by a stale sign-off).
 */
export async function waitingForMe(user: { id: string; roles: readonly Role[] }): Promise<string[]> {
  const roles = user.roles.filter(isApproverRole);
  if (roles.length === 0) return [];
  const rows = await db.$queryRaw<{ id: string }[]>`
    select r.id
      from releases r
      join environments e on e.id = r.environment_id
     where r.status in ('PENDING', 'APPROVED')
       and e.requires_approval
       and (e.author_may_sign or (r.created_by_id <> ${user.id}
            and not exists (select 1 from release_revisions rv where rv.release_id = r.id and rv.created_by_id = ${user.id})))
       and not exists (select 1 from approvals a where a.release_id = r.id and a.revision = r.revision and a.user_id = ${user.id} and a.withdrawn_at is null)
       and exists (
         select 1 from unnest(${roles}::text[]) as mine(role)
          where not exists (select 1 from approvals a where a.release_id = r.id and a.revision = r.revision and a.role::text = mine.role and a.withdrawn_at is null))
     order by r.created_at desc
     limit 200`;
  return rows.map((r) => r.id);
}

/** The releases a person can sign now, newest first, as the release tables show them. */
export async function releasesWaitingForSignOff(user: { id: string; roles: readonly Role[] }) {
  const ids = await waitingForMe(user);
  return db.release.findMany({
    where: { id: { in: ids } },
    orderBy: { createdAt: "desc" },
    include: { service: true, environment: true, createdBy: { select: { name: true } } },
  });
}

export type ReleaseWaitingForSignOff = Awaited<ReturnType<typeof releasesWaitingForSignOff>>[number];
