import { activeFreeze, type FreezeWindowSpec } from "@/lib/approvals/freeze";
import { humanize } from "@/lib/format/humanize";
import type { GateOverrideKind, ReleaseStatus } from "@/lib/generated/prisma/enums";
import { can, forbiddenMessage } from "@/lib/rbac";
import { describeChanges } from "@/lib/releases/revision";
import { APPROVER_ROLES, ROLE_LABELS, type ApproverRole, type Role } from "@/lib/roles";
import type { ErrorBudgetReading } from "@/lib/slo/budget-reading";
import { formatAvailability } from "@/lib/slo/error-budget";

export interface SignOff {
  id: string;
  role: Role;
  decision: "APPROVED" | "REJECTED";
  revision: number;
  userId: string;
  userName: string;
  comment: string;
  createdAt: Date;
  withdrawnAt: Date | null;
}

/** Who wrote a release: its creator and the author of every revision (creation and each edit). */
export interface ReleaseAuthorship {
  createdById: string;
  revisionAuthors: readonly { revision: number; userId: string }[];
}

/** A tick of a checklist item, bound to the revision it was given on. */
export interface Tick {
  id: string;
  revision: number;
  userName: string;
  checkedAt: Date;
  evidenceUrl: string | null;
  withdrawnAt: Date | null;
}

export interface ChecklistEntry {
  id: string;
  label: string;
  required: boolean;
  evidenceRequired: boolean;
  /** Every tick ever given on the item (all revisions, withdrawn ones included). */
  ticks: readonly Tick[];
}

export interface GateInput {
  now: Date;
  environment: {
    name: string;
    requiresApproval: boolean;
    authorMaySign: boolean;
    approvalTtlHours: number;
    errorBudgetGate: boolean;
  };
  service: { name: string };
  release: { revision: number; status: string } & ReleaseAuthorship;
  /** Every sign-off ever given on the release (all revisions). */
  signOffs: readonly SignOff[];
  /** The roles each signer holds now: a sign-off by someone who lost the role no longer counts. */
  rolesOf: ReadonlyMap<string, readonly Role[]>;
  /** What changed in each revision (for "voided by revision 3: image changed"). */
  revisionChanges: ReadonlyMap<number, readonly string[]>;
  checklist: readonly ChecklistEntry[];
  freezes: readonly FreezeWindowSpec[];
  /** Every admin override on the release (all revisions): only the current revision's count. */
  overrides: readonly { kind: GateOverrideKind; revision: number }[];
  /** The service's error budget; read only where the environment gates on it (null otherwise). */
  errorBudget: ErrorBudgetReading | null;
  activeRun: { kind: string; requestedBy: string | null } | null;
}

export type RowState = "waiting" | "approved" | "rejected" | "voided" | "expired" | "not required";

export interface MatrixRow {
  role: ApproverRole;
  label: string;
  state: RowState;
  /** The sign-off the row shows (the current one, or the latest earlier one). */
  signOff?: SignOff;
  note?: string;
}

export type Unmet =
  | { kind: "approval"; role: ApproverRole; message: string }
  | { kind: "rejection"; role: ApproverRole; message: string }
  | { kind: "checklist"; message: string }
  | { kind: "freeze"; message: string; until: Date }
  | { kind: "error-budget"; message: string }
  | { kind: "run"; message: string };

export type ChecklistState = "ticked" | "open" | "voided";

export interface ChecklistRow {
  id: string;
  label: string;
  required: boolean;
  evidenceRequired: boolean;
  state: ChecklistState;
  /** The tick the row shows: the current revision's, or (voided) the latest of an earlier one. */
  tick?: Tick;
  note?: string;
}

export interface GateResult {
  green: boolean;
  unmet: Unmet[];
  matrix: MatrixRow[];
  checklist: ChecklistRow[];
  /** What the gate could not check, and so did not hold against the release. */
  warnings: string[];
}

function expired(
  signOff: Pick<SignOff, "createdAt">,
  input: { now: Date; environment: { approvalTtlHours: number } },
): boolean {
  return signOff.createdAt.getTime() + input.environment.approvalTtlHours * 3_600_000 <= input.now.getTime();
}

/** Who wrote each revision (ReleaseRevision.createdById), as the author rule reads it. */
export function revisionAuthorsOf(
  revisions: readonly { revision: number; createdById: string }[],
): ReleaseAuthorship["revisionAuthors"] {
  return revisions.map((r) => ({ revision: r.revision, userId: r.createdById }));
}

/**
 * What a person had to do with the release's content: null when nothing, else what to call it.
 * Creating it or editing any revision counts: whoever chose what ships does not approve it.
 */
export function authorshipOf(
  release: ReleaseAuthorship,
  userId: string,
): { created: boolean; edited: number[] } | null {
  const created = release.createdById === userId;
  const edited = [
    ...new Set(release.revisionAuthors.filter((r) => r.userId === userId && r.revision > 1).map((r) => r.revision)),
  ].sort((a, b) => a - b);
  // Revision 1 is the creation; someone else recorded as its author still wrote the release.
  const wroteFirst = release.revisionAuthors.some((r) => r.userId === userId && r.revision === 1);
  if (!created && !wroteFirst && edited.length === 0) return null;
  return { created: created || wroteFirst, edited };
}

function revisionList(revisions: readonly number[]): string {
  return revisions.length === 1 ? `revision ${revisions[0]}` : `revisions ${revisions.join(", ")}`;
}

/** The first revision after `revision` (what voided something given on it), and what it changed. */
function voidNote(revision: number, input: Pick<GateInput, "release" | "revisionChanges">): string {
  const voidedBy =
    [...input.revisionChanges.keys()].filter((r) => r > revision).sort((a, b) => a - b)[0] ?? input.release.revision;
  return `voided by revision ${voidedBy}: ${describeChanges(input.revisionChanges.get(voidedBy) ?? [])}`;
}

/**
 * Each checklist item on the current revision: ticked (a live tick of this revision, with its
 * evidence where the item needs it), voided (only ticks of earlier revisions: an edit asks for
 * them again, as for sign-offs) or open.
 */
export function checklistRows(input: Pick<GateInput, "release" | "revisionChanges" | "checklist">): ChecklistRow[] {
  return input.checklist.map((item) => {
    const base = { id: item.id, label: item.label, required: item.required, evidenceRequired: item.evidenceRequired };
    const live = item.ticks.filter((t) => !t.withdrawnAt).sort((a, b) => a.checkedAt.getTime() - b.checkedAt.getTime());
    const current = live.filter((t) => t.revision === input.release.revision).at(-1);
    if (current && (!item.evidenceRequired || current.evidenceUrl))
      return { ...base, state: "ticked" as const, tick: current };
    if (current)
      return { ...base, state: "open" as const, tick: current, note: "ticked without the evidence it needs" };
    const earlier = live.filter((t) => t.revision < input.release.revision).at(-1);
    if (earlier) return { ...base, state: "voided" as const, tick: earlier, note: voidNote(earlier.revision, input) };
    return { ...base, state: "open" as const };
  });
}

/**
 * The release gate: every unmet condition with its reason. The page, the deploy action and the
 * deploy job all ask this one function (the job again right before it touches the cluster).
 */
export function evaluateGate(input: GateInput): GateResult {
  const unmet: Unmet[] = [];
  const matrix: MatrixRow[] = [];
  const warnings: string[] = [];
  const overridden = (kind: GateOverrideKind) =>
    input.overrides.some((o) => o.kind === kind && o.revision === input.release.revision);
  const live = input.signOffs
    .filter((s) => !s.withdrawnAt)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  // One person's approval counts for one role only (the database refuses a second one per
  // revision; this guards the record anyway): the first of the six roles, in table order.
  const countedFor = new Map<string, ApproverRole>();

  for (const role of APPROVER_ROLES) {
    const label = ROLE_LABELS[role];
    const forRole = live.filter((s) => s.role === role);
    const current = forRole.filter((s) => s.revision === input.release.revision).at(-1);
    const latestEarlier = forRole.filter((s) => s.revision < input.release.revision).at(-1);
    // A rejection blocks until the role approves a later revision (or the rejecter withdraws it).
    const blocking = forRole
      .filter(
        (s) => s.decision === "REJECTED" && !forRole.some((a) => a.decision === "APPROVED" && a.revision > s.revision),
      )
      .at(-1);

    if (blocking) {
      const message = `${label} rejected revision ${blocking.revision} (${blocking.userName}): ${blocking.comment}`;
      matrix.push({ role, label, state: "rejected", signOff: blocking });
      unmet.push({ kind: "rejection", role, message });
      continue;
    }
    if (!input.environment.requiresApproval) {
      matrix.push({ role, label, state: "not required", signOff: current });
      continue;
    }
    if (current && current.decision === "APPROVED") {
      const holds = input.rolesOf.get(current.userId)?.includes(role) ?? false;
      const author = input.environment.authorMaySign ? null : authorshipOf(input.release, current.userId);
      const counted = countedFor.get(current.userId);
      let note: string | undefined;
      if (!holds) note = `${current.userName} no longer holds ${label}`;
      else if (author?.created) note = `${current.userName} wrote this release and cannot sign it`;
      else if (author)
        note = `${current.userName} edited ${revisionList(author.edited)} of this release and cannot sign it`;
      else if (counted && counted !== role) note = `${current.userName} already signed as ${ROLE_LABELS[counted]}`;
      else if (expired(current, input)) {
        matrix.push({
          role,
          label,
          state: "expired",
          signOff: current,
          note: `older than ${input.environment.approvalTtlHours} h`,
        });
        unmet.push({
          kind: "approval",
          role,
          message: `${label}'s sign-off by ${current.userName} expired; sign again`,
        });
        continue;
      }
      if (note) {
        matrix.push({ role, label, state: "waiting", signOff: current, note });
        unmet.push({ kind: "approval", role, message: `${label}: ${note}` });
        continue;
      }
      countedFor.set(current.userId, role);
      matrix.push({ role, label, state: "approved", signOff: current });
      continue;
    }
    if (latestEarlier && latestEarlier.decision === "APPROVED") {
      const note = voidNote(latestEarlier.revision, input);
      matrix.push({ role, label, state: "voided", signOff: latestEarlier, note });
      unmet.push({
        kind: "approval",
        role,
        message: `${label} has not signed revision ${input.release.revision} (${note})`,
      });
      continue;
    }
    matrix.push({ role, label, state: "waiting" });
    unmet.push({ kind: "approval", role, message: `${label} has not signed yet` });
  }

  const checklist = checklistRows(input);
  const unchecked = checklist.filter((i) => i.required && i.state !== "ticked");
  if (unchecked.length > 0) {
    const voided = unchecked.filter((i) => i.state === "voided").length;
    unmet.push({
      kind: "checklist",
      message: `${unchecked.length} required checklist item${unchecked.length === 1 ? "" : "s"} unchecked${voided > 0 ? ` (${voided} voided by an edit: tick ${voided === 1 ? "it" : "them"} again)` : ""}: ${unchecked.map((i) => i.label).join("; ")}`,
    });
  }

  const freeze = activeFreeze(input.freezes, input.now);
  if (freeze && !overridden("FREEZE")) {
    unmet.push({
      kind: "freeze",
      until: freeze.endsAt,
      message: `${input.environment.name} is frozen until ${freeze.endsAt.toISOString().slice(0, 16).replace("T", " ")} UTC: ${freeze.window.reason}`,
    });
  }

  if (input.environment.errorBudgetGate) {
    const budget = input.errorBudget ?? { known: false, reason: "not read" };
    // An unknown budget never blocks: a dead Prometheus must not stop a release, least of all
    // the fix for whatever took it down. The page says so instead.
    if (!budget.known) warnings.push(`error budget unknown: ${budget.reason}; deploys are not blocked on it`);
    else if (budget.remaining <= 0 && !overridden("ERROR_BUDGET")) {
      unmet.push({
        kind: "error-budget",
        message: `${input.service.name} has spent its error budget: ${formatAvailability(budget.availability)} available over ${budget.slo.windowDays} days against a ${formatAvailability(budget.slo.target)} SLO; an admin can override with a reason`,
      });
    }
  }

  if (input.activeRun) {
    unmet.push({
      kind: "run",
      message: `A ${humanize(input.activeRun.kind)} is already in progress${input.activeRun.requestedBy ? ` (started by ${input.activeRun.requestedBy})` : ""}`,
    });
  }

  return { green: unmet.length === 0, unmet, matrix, checklist, warnings };
}

/** Release statuses that still take sign-offs (the SQL in sign.ts repeats them). */
export const SIGNABLE_STATUSES = ["PENDING", "APPROVED", "FAILED"] as const satisfies readonly ReleaseStatus[];

/**
 * Where a release's story ended: deployed, rolled back or cancelled (a failed deploy can be
 * retried). Its sign-offs and checklist are the record of what let it through: no one signs,
 * withdraws, ticks or unticks any more.
 */
export const FINAL_RELEASE_STATUSES = [
  "DEPLOYED",
  "ROLLED_BACK",
  "CANCELLED",
] as const satisfies readonly ReleaseStatus[];

export function isFinalRelease(status: string): boolean {
  return (FINAL_RELEASE_STATUSES as readonly string[]).includes(status);
}

/** The refusal for any change to the approvals of a finished release, or null while it is open. */
export function finishedRefusal(status: string): SignRefusal | null {
  if (!isFinalRelease(status)) return null;
  return {
    code: "CONFLICT",
    message: `This release was ${humanize(status)}; its sign-offs and checklist are history and can no longer change.`,
  };
}

/** Whether the person may withdraw this sign-off, and if not, why. */
export function withdrawRefusal(
  user: { id: string; roles: readonly Role[] },
  approval: { userId: string; withdrawnAt: Date | null },
  release: { status: string },
): SignRefusal | null {
  if (!can(user, "release:sign"))
    return { code: "FORBIDDEN", message: forbiddenMessage("release:sign", "withdraw a sign-off") };
  if (approval.userId !== user.id)
    return { code: "FORBIDDEN", message: "Only the person who signed can withdraw a sign-off." };
  const finished = finishedRefusal(release.status);
  if (finished) return finished;
  if (approval.withdrawnAt) return { code: "CONFLICT", message: "That sign-off was already withdrawn." };
  return null;
}

/** Release statuses whose checklist can still be ticked (a deploying release's is closed). */
export const TICKABLE_STATUSES = SIGNABLE_STATUSES;

export interface TickRequest {
  checked: boolean;
  /** The revision the person looked at. */
  revision: number;
  evidenceUrl?: string | null;
}

/**
 * Whether a tick (or untick) of the item on the release's current revision may be written.
 * `liveTick` is the item's live tick on that revision, if any.
 */
export function tickRefusal(
  release: { status: string; revision: number },
  item: { label: string; evidenceRequired: boolean },
  liveTick: { userName: string } | null,
  request: TickRequest,
): (SignRefusal & { field?: "evidenceUrl" }) | null {
  const finished = finishedRefusal(release.status);
  if (finished) return finished;
  if (!(TICKABLE_STATUSES as readonly string[]).includes(release.status))
    return { code: "CONFLICT", message: `This release is ${humanize(release.status)}; its checklist is closed.` };
  if (release.revision !== request.revision)
    return {
      code: "CONFLICT",
      message: `You looked at revision ${request.revision}, but the release is now at revision ${release.revision}. Reload and tick what will ship.`,
    };
  if (request.checked && liveTick)
    return { code: "CONFLICT", message: `${liveTick.userName} already ticked “${item.label}” on this revision.` };
  if (!request.checked && !liveTick)
    return { code: "CONFLICT", message: `“${item.label}” is not ticked on this revision.` };
  if (request.checked && item.evidenceRequired && !request.evidenceUrl?.trim())
    return {
      code: "INVALID",
      field: "evidenceUrl",
      message: `“${item.label}” needs evidence: paste a link to it (a test run, a report) before ticking.`,
    };
  return null;
}

/** What decides who may sign which role of a release: one read, shared by the page and signRelease. */
export interface SigningInput {
  now: Date;
  user: { id: string; roles: readonly Role[] };
  release: { revision: number; status: string } & ReleaseAuthorship;
  environment: { displayName: string; authorMaySign: boolean; approvalTtlHours: number };
  /** Sign-offs on the release; withdrawn ones and other revisions' are ignored. */
  signOffs: readonly Pick<SignOff, "role" | "revision" | "userId" | "userName" | "createdAt" | "withdrawnAt">[];
  /** The roles each signer holds now (none for a disabled person). */
  rolesOf: ReadonlyMap<string, readonly Role[]>;
}

export interface SignRequest {
  role: ApproverRole;
  decision: SignOff["decision"];
  /** The revision the person looked at. */
  revision: number;
}

export interface SignRefusal {
  code: "FORBIDDEN" | "CONFLICT" | "INVALID";
  message: string;
}

/** The checks that need only the person, so a stranger learns nothing about the release. */
export function signerRefusal(user: SigningInput["user"], role: ApproverRole): SignRefusal | null {
  if (!can(user, "release:sign"))
    return { code: "FORBIDDEN", message: forbiddenMessage("release:sign", "sign a release") };
  if (!user.roles.includes(role))
    return { code: "FORBIDDEN", message: `You do not hold ${ROLE_LABELS[role]}, so you cannot sign for it.` };
  return null;
}

/**
 * Why a live sign-off no longer holds its role's slot (expired, or its signer lost the role or
 * was disabled), or null while it does. signRelease withdraws such a sign-off when someone signs
 * the role again, so it does not stand in their way.
 */
export function staleSignOffReason(
  signOff: SigningInput["signOffs"][number],
  input: Pick<SigningInput, "now" | "environment" | "rolesOf">,
): string | null {
  if (expired(signOff, input)) return "expired";
  if (!(input.rolesOf.get(signOff.userId)?.includes(signOff.role) ?? false))
    return `${signOff.userName} no longer holds ${ROLE_LABELS[signOff.role]}`;
  return null;
}

/**
 * Whether the person may sign this role of the release, and if not, why: every check signRelease
 * makes before it writes, in its order. PostgreSQL's unique indexes still settle races between
 * two signers; this answers the same way for everything already on the record.
 */
export function signRefusal(input: SigningInput, request: SignRequest): SignRefusal | null {
  const person = signerRefusal(input.user, request.role);
  if (person) return person;
  const { release } = input;
  const finished = finishedRefusal(release.status);
  if (finished) return finished;
  if (!(SIGNABLE_STATUSES as readonly string[]).includes(release.status))
    return { code: "CONFLICT", message: `This release is ${humanize(release.status)}; it can no longer be signed.` };
  if (release.revision !== request.revision) {
    return {
      code: "CONFLICT",
      message: `You looked at revision ${request.revision}, but the release is now at revision ${release.revision}. Reload and sign what will ship.`,
    };
  }
  const author =
    !input.environment.authorMaySign && request.decision === "APPROVED" ? authorshipOf(release, input.user.id) : null;
  if (author?.created) {
    return {
      code: "FORBIDDEN",
      message: `You wrote this release; ${input.environment.displayName} needs its sign-offs from other people.`,
    };
  }
  if (author) {
    return {
      code: "FORBIDDEN",
      message: `You edited ${revisionList(author.edited)} of this release; ${input.environment.displayName} needs its sign-offs from people who did not write or change it.`,
    };
  }
  const live = input.signOffs.filter((s) => !s.withdrawnAt && s.revision === release.revision);
  // One role per person per revision: a sign-off of theirs for another role stands even when stale.
  const mine = live.find((s) => s.userId === input.user.id && s.role !== request.role);
  if (mine)
    return {
      code: "CONFLICT",
      message: `You already signed this revision as ${ROLE_LABELS[mine.role]}; one person signs for one role.`,
    };
  const holder = live.find((s) => s.role === request.role && staleSignOffReason(s, input) === null);
  if (holder) {
    const label = ROLE_LABELS[request.role];
    return {
      code: "CONFLICT",
      message:
        holder.userId === input.user.id
          ? `You already signed ${label} for this revision.`
          : `${holder.userName} already signed ${label} for revision ${release.revision}.`,
    };
  }
  return null;
}

/**
 * The roles the page offers the person on the release's current revision: those signRelease
 * would take an approval for. The page offers approve and reject together, so an author who may
 * not approve is offered neither, though signRelease would take their rejection.
 */
export function signableRoles(input: SigningInput): ApproverRole[] {
  return APPROVER_ROLES.filter(
    (role) => signRefusal(input, { role, decision: "APPROVED", revision: input.release.revision }) === null,
  );
}
