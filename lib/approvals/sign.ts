import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { humanize } from "@/lib/format/humanize";
import { notifyRelease } from "@/lib/notifications/slack";
import { can, forbiddenMessage } from "@/lib/rbac";
import { ROLE_LABELS, type ApproverRole } from "@/lib/roles";

export interface SignInput {
  releaseId: string;
  /** The revision the person looked at; signing anything else is refused. */
  revision: number;
  role: ApproverRole;
  decision: "APPROVED" | "REJECTED";
  comment: string;
}

const SIGNABLE = ["PENDING", "APPROVED", "FAILED"];

/**
 * Signs (approves or rejects) one role of one release revision. PostgreSQL's unique indexes
 * decide races: one sign-off per role per revision, one role per person per revision.
 */
export async function signRelease(user: CurrentUser, input: SignInput) {
  if (!can(user, "release:sign")) throw new AppError("FORBIDDEN", forbiddenMessage("release:sign", "sign a release"));
  if (!user.roles.includes(input.role)) throw new AppError("FORBIDDEN", `You do not hold ${ROLE_LABELS[input.role]}, so you cannot sign for it.`);
  if (input.decision === "REJECTED" && input.comment.trim().length === 0) throw new AppError("INVALID", "Say why you reject it: a rejection needs a comment.", { comment: ["A rejection needs a comment."] });

  const release = await db.release.findUnique({ where: { id: input.releaseId }, include: { environment: true, service: true } });
  if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
  if (!SIGNABLE.includes(release.status)) throw new AppError("CONFLICT", `This release is ${humanize(release.status)}; it can no longer be signed.`);
  if (release.revision !== input.revision) {
    throw new AppError("CONFLICT", `You looked at revision ${input.revision}, but the release is now at revision ${release.revision}. Reload and sign what will ship.`);
  }
  if (release.createdById === user.id && !release.environment.authorMaySign && input.decision === "APPROVED") {
    throw new AppError("FORBIDDEN", `You wrote this release; ${release.environment.displayName} needs its sign-offs from other people.`);
  }
  await retireStaleSignOff(user, release.id, input.revision, input.role, release.environment.approvalTtlHours);

  // One statement: the release must still be at this revision and signable, the unique indexes
  // settle races (one sign-off per role and revision, one role per person and revision), and the
  // audit entry exists exactly when the sign-off does. No interactive transaction, so hundreds of
  // concurrent signers do not queue for pool connections.
  const comment = input.comment.trim();
  const after = JSON.stringify({ role: input.role, revision: input.revision, decision: input.decision, comment });
  const inserted = await db.$queryRaw<{ id: string }[]>`
    with target as (
      select id from releases where id = ${release.id} and revision = ${input.revision} and status in ('PENDING', 'APPROVED', 'FAILED')
    ), signed as (
      insert into approvals (id, release_id, revision, role, decision, comment, user_id, created_at)
      select ${crypto.randomUUID().replaceAll("-", "")}, target.id, ${input.revision}, ${input.role}::"Role", ${input.decision}::"ApprovalDecision", ${comment}, ${user.id}, now()
        from target
      on conflict do nothing
      returning id
    ), audited as (
      insert into audit_log (actor_id, actor_label, action, target_type, target_id, after)
      select ${user.id}, ${actorOf(user).label}, ${input.decision === "APPROVED" ? "approval.approve" : "approval.reject"}, 'release', ${release.id}, ${after}::jsonb
        from signed
      returning 1
    )
    select signed.id from signed, (select count(*) from audited) as audit`;
  const outcome = inserted.length > 0 ? { conflict: false as const, release, approvalId: inserted[0].id } : { conflict: true as const, release };

  if (outcome.conflict) {
    const now = await db.release.findUnique({ where: { id: input.releaseId } });
    if (now && now.revision !== input.revision) throw new AppError("CONFLICT", `The release moved to revision ${now.revision} while you signed. Reload and sign what will ship.`);
    if (now && !SIGNABLE.includes(now.status)) throw new AppError("CONFLICT", `This release is ${humanize(now.status)}; it can no longer be signed.`);
    const existing = await db.approval.findFirst({
      where: { releaseId: input.releaseId, revision: input.revision, withdrawnAt: null, OR: [{ role: input.role }, { userId: user.id }] },
      include: { user: { select: { name: true } } },
    });
    if (existing?.userId === user.id) {
      throw new AppError("CONFLICT", existing.role === input.role ? `You already signed ${ROLE_LABELS[input.role]} for this revision.` : `You already signed this revision as ${ROLE_LABELS[existing.role]}; one person signs for one role.`);
    }
    throw new AppError("CONFLICT", `${existing?.user.name ?? "Someone"} already signed ${ROLE_LABELS[input.role]} for revision ${input.revision}.`);
  }
  void notifyRelease(outcome.release.id, input.decision === "APPROVED" ? "approved" : "rejected", { role: input.role, by: user.name, comment: input.comment });
  return outcome;
}

/**
 * A live sign-off that no longer counts (expired, or its signer lost the role or was disabled)
 * would hold the role's unique slot for ever; it is withdrawn, on the record, so the role can be
 * signed again.
 */
async function retireStaleSignOff(user: CurrentUser, releaseId: string, revision: number, role: ApproverRole, ttlHours: number): Promise<void> {
  const existing = await db.approval.findFirst({ where: { releaseId, revision, role, withdrawnAt: null }, include: { user: { include: { roles: true } } } });
  if (!existing) return;
  const expired = existing.createdAt.getTime() + ttlHours * 3_600_000 <= Date.now();
  const lostRole = existing.user.disabledAt !== null || !existing.user.roles.some((r) => r.role === role);
  if (!expired && !lostRole) return;
  await db.$transaction(async (tx) => {
    const retired = await tx.approval.updateMany({ where: { id: existing.id, withdrawnAt: null }, data: { withdrawnAt: new Date() } });
    if (retired.count === 0) return;
    await recordAudit(tx, actorOf(user), {
      action: "approval.void",
      targetType: "release",
      targetId: releaseId,
      before: { role, revision, decision: existing.decision, by: existing.userId },
      metadata: { reason: expired ? "expired" : `${existing.user.name} no longer holds ${ROLE_LABELS[role]}` },
    });
  });
}

/** Withdraws one's own sign-off (a rejecter lifting their rejection, or an approver backing out). */
export async function withdrawSignOff(user: CurrentUser, input: { releaseId: string; approvalId: string }) {
  if (!can(user, "release:sign")) throw new AppError("FORBIDDEN", forbiddenMessage("release:sign", "withdraw a sign-off"));
  return db.$transaction(async (tx) => {
    const approval = await tx.approval.findFirst({ where: { id: input.approvalId, releaseId: input.releaseId } });
    if (!approval) throw new AppError("NOT_FOUND", "That sign-off does not exist.");
    if (approval.userId !== user.id) throw new AppError("FORBIDDEN", "Only the person who signed can withdraw a sign-off.");
    if (approval.withdrawnAt) throw new AppError("CONFLICT", "That sign-off was already withdrawn.");
    await tx.approval.update({ where: { id: approval.id }, data: { withdrawnAt: new Date() } });
    await recordAudit(tx, actorOf(user), { action: "approval.withdraw", targetType: "release", targetId: input.releaseId, before: { role: approval.role, revision: approval.revision, decision: approval.decision } });
    return approval;
  });
}
