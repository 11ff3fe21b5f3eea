import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
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

  const outcome = await db.$transaction(async (tx) => {
    const release = await tx.release.findUnique({ where: { id: input.releaseId }, include: { environment: true, service: true } });
    if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
    if (!SIGNABLE.includes(release.status)) throw new AppError("CONFLICT", `This release is ${release.status.toLowerCase().replace("_", " ")}; it can no longer be signed.`);
    if (release.revision !== input.revision) {
      throw new AppError("CONFLICT", `You looked at revision ${input.revision}, but the release is now at revision ${release.revision}. Reload and sign what will ship.`);
    }
    if (release.createdById === user.id && !release.environment.authorMaySign && input.decision === "APPROVED") {
      throw new AppError("FORBIDDEN", `You wrote this release; ${release.environment.displayName} needs its sign-offs from other people.`);
    }
    // Concurrent signers for the same role (or the same person for two roles) collide on the
    // unique indexes; the savepoint-free insert below fails and is explained afterwards.
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      insert into approvals (id, release_id, revision, role, decision, comment, user_id, created_at)
      values (${crypto.randomUUID().replaceAll("-", "")}, ${release.id}, ${release.revision}, ${input.role}::"Role", ${input.decision}::"ApprovalDecision", ${input.comment.trim()}, ${user.id}, now())
      on conflict do nothing
      returning id`;
    if (inserted.length === 0) return { conflict: true as const, release };
    await recordAudit(tx, actorOf(user), {
      action: input.decision === "APPROVED" ? "approval.approve" : "approval.reject",
      targetType: "release",
      targetId: release.id,
      after: { role: input.role, revision: release.revision, decision: input.decision, comment: input.comment.trim() },
    });
    return { conflict: false as const, release, approvalId: inserted[0].id };
  });

  if (outcome.conflict) {
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
