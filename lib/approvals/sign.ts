import {
  revisionAuthorsOf,
  signerRefusal,
  signRefusal,
  staleSignOffReason,
  withdrawRefusal,
  type SignRefusal,
  type SigningInput,
} from "@/lib/approvals/policy";
import { actorOf, recordAudit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/current-user";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { notifyRelease } from "@/lib/notifications/slack";
import { can, forbiddenMessage } from "@/lib/rbac";
import { ROLE_LABELS, type ApproverRole } from "@/lib/roles";
import { telemetry } from "@/lib/telemetry/metrics";

export interface SignInput {
  releaseId: string;
  /** The revision the person looked at; signing anything else is refused. */
  revision: number;
  role: ApproverRole;
  decision: "APPROVED" | "REJECTED";
  comment: string;
}

function refuse(refusal: SignRefusal | null): void {
  if (refusal) throw new AppError(refusal.code, refusal.message);
}

/** The release with the live sign-offs of one revision and their signers' roles now. */
function loadForSigning(releaseId: string, revision: number) {
  return db.release.findUnique({
    where: { id: releaseId },
    include: {
      environment: true,
      service: true,
      // Whoever wrote any revision may not approve: the author rule reads them all.
      revisions: { select: { revision: true, createdById: true } },
      approvals: {
        where: { revision, withdrawnAt: null },
        include: { user: { select: { name: true, disabledAt: true, roles: { select: { role: true } } } } },
      },
    },
  });
}

type ReleaseForSigning = NonNullable<Awaited<ReturnType<typeof loadForSigning>>>;

function signingInput(user: CurrentUser, release: ReleaseForSigning): SigningInput {
  return {
    now: new Date(),
    user,
    release: { ...release, revisionAuthors: revisionAuthorsOf(release.revisions) },
    environment: release.environment,
    signOffs: release.approvals.map((a) => ({ ...a, userName: a.user.name })),
    rolesOf: new Map(
      release.approvals.map((a) => [a.userId, a.user.disabledAt ? [] : a.user.roles.map((r) => r.role)]),
    ),
  };
}

/**
 * Signs (approves or rejects) one role of one release revision. Who may sign is signRefusal's
 * answer, the one the release page asks too; PostgreSQL's unique indexes decide races: one
 * sign-off per role per revision, one role per person per revision.
 */
export async function signRelease(user: CurrentUser, input: SignInput) {
  refuse(signerRefusal(user, input.role));
  if (input.decision === "REJECTED" && input.comment.trim().length === 0)
    throw new AppError("INVALID", "Say why you reject it: a rejection needs a comment.", {
      comment: ["A rejection needs a comment."],
    });

  const release = await loadForSigning(input.releaseId, input.revision);
  if (!release) throw new AppError("NOT_FOUND", "That release does not exist.");
  const signing = signingInput(user, release);
  refuse(signRefusal(signing, input));
  await retireStaleSignOff(user, release, signing, input.role);

  // One statement: the release must still be at this revision and signable (SIGNABLE_STATUSES in
  // policy.ts), the unique indexes settle races (one sign-off per role and revision, one role per
  // person and revision), and the audit entry exists exactly when the sign-off does. No
  // interactive transaction, so hundreds of concurrent signers do not queue for pool connections.
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
  const outcome =
    inserted.length > 0
      ? { conflict: false as const, release, approvalId: inserted[0].id }
      : { conflict: true as const, release };

  if (outcome.conflict) {
    // Someone got there first: say what the record shows now, in the words of the checks above.
    const now = await loadForSigning(input.releaseId, input.revision);
    if (now && now.revision !== input.revision)
      throw new AppError(
        "CONFLICT",
        `The release moved to revision ${now.revision} while you signed. Reload and sign what will ship.`,
      );
    refuse(now ? signRefusal(signingInput(user, now), input) : null);
    throw new AppError("CONFLICT", `Someone already signed ${ROLE_LABELS[input.role]} for revision ${input.revision}.`);
  }
  telemetry().signOffs.inc({ action: input.decision === "APPROVED" ? "approve" : "reject" });
  void notifyRelease(outcome.release.id, input.decision === "APPROVED" ? "approved" : "rejected", {
    role: input.role,
    by: user.name,
    comment: input.comment,
  });
  return outcome;
}

/**
 * A live sign-off that no longer counts (expired, or its signer lost the role or was disabled)
 * would hold the role's unique slot for ever; it is withdrawn, on the record, so the role can be
 * signed again.
 */
async function retireStaleSignOff(
  user: CurrentUser,
  release: ReleaseForSigning,
  signing: SigningInput,
  role: ApproverRole,
): Promise<void> {
  const existing = release.approvals.find((a) => a.role === role);
  if (!existing) return;
  const reason = staleSignOffReason({ ...existing, userName: existing.user.name }, signing);
  if (!reason) return;
  await db.$transaction(async (tx) => {
    const retired = await tx.approval.updateMany({
      where: { id: existing.id, withdrawnAt: null },
      data: { withdrawnAt: new Date() },
    });
    if (retired.count === 0) return;
    await recordAudit(tx, actorOf(user), {
      action: "approval.void",
      targetType: "release",
      targetId: release.id,
      before: { role, revision: existing.revision, decision: existing.decision, by: existing.userId },
      metadata: { reason },
    });
  });
}

/**
 * Withdraws one's own sign-off (a rejecter lifting their rejection, or an approver backing out),
 * while the release is open: a finished release's sign-offs are history.
 */
export async function withdrawSignOff(user: CurrentUser, input: { releaseId: string; approvalId: string }) {
  if (!can(user, "release:sign"))
    throw new AppError("FORBIDDEN", forbiddenMessage("release:sign", "withdraw a sign-off"));
  const withdrawn = await db.$transaction(async (tx) => {
    // Shared lock: the run that finishes the release waits until this withdrawal is in (or out).
    const [release] = await tx.$queryRaw<{ status: string }[]>`
      select status::text from releases where id = ${input.releaseId} for share`;
    const approval = release
      ? await tx.approval.findFirst({ where: { id: input.approvalId, releaseId: input.releaseId } })
      : null;
    if (!release || !approval) throw new AppError("NOT_FOUND", "That sign-off does not exist.");
    refuse(withdrawRefusal(user, approval, release));
    await tx.approval.update({ where: { id: approval.id }, data: { withdrawnAt: new Date() } });
    await recordAudit(tx, actorOf(user), {
      action: "approval.withdraw",
      targetType: "release",
      targetId: input.releaseId,
      before: { role: approval.role, revision: approval.revision, decision: approval.decision },
    });
    return approval;
  });
  telemetry().signOffs.inc({ action: "withdraw" });
  return withdrawn;
}
