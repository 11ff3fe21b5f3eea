import type { GateChangeKind, GateChangeStatus } from "@/lib/generated/prisma/enums";
import { APPROVER_ROLES, ROLE_LABELS, type Role } from "@/lib/roles";

export type { GateChangeKind, GateChangeStatus };

/** How long a request waits for a second admin before it lapses and must be asked again. */
export const GATE_CHANGE_TTL_HOURS = 24;

/** An environment's gate settings, as the admin page edits them. */
export interface EnvironmentGate {
  requiresApproval: boolean;
  authorMaySign: boolean;
  approvalTtlHours: number;
  errorBudgetGate: boolean;
}

/**
 * What in an environment settings change weakens its gate, in words ("turning approval off").
 * Empty when the change only keeps or tightens it, which then applies at once.
 */
export function environmentWeakenings(before: EnvironmentGate, after: EnvironmentGate): string[] {
  const reasons: string[] = [];
  if (before.requiresApproval && !after.requiresApproval) reasons.push("turning approval off");
  if (!before.authorMaySign && after.authorMaySign) reasons.push("letting a release's author sign it");
  if (after.approvalTtlHours > before.approvalTtlHours)
    reasons.push(`keeping sign-offs valid longer (${before.approvalTtlHours} h → ${after.approvalTtlHours} h)`);
  if (before.errorBudgetGate && !after.errorBudgetGate) reasons.push("turning the error-budget gate off");
  return reasons;
}

/** Granting one of these lets someone sign for production or change the gate itself. */
export function roleGrantNeedsConfirmation(role: Role): boolean {
  return role === "ADMIN" || (APPROVER_ROLES as readonly Role[]).includes(role);
}

export function roleGrantSummary(personName: string, role: Role): string {
  return `Grant ${ROLE_LABELS[role]} to ${personName}`;
}

/** The facts a confirmation is judged on. */
export interface PendingChangeFacts {
  status: GateChangeStatus;
  kind: GateChangeKind;
  requestedById: string;
  expiresAt: Date;
  /** For a role grant: the person who would receive the role. */
  subjectUserId?: string | null;
}

/**
 * Why `confirmerId` may not confirm this change, or null when they may. The confirmer's admin
 * role is checked by the caller (the permission matrix); these are the four-eyes rules.
 */
export function confirmRefusal(change: PendingChangeFacts, confirmerId: string, now: Date): string | null {
  if (change.status === "CONFIRMED") return "This change was already confirmed.";
  if (change.status === "DECLINED") return "This change was declined.";
  if (change.status === "EXPIRED" || change.expiresAt <= now)
    return `This request lapsed after ${GATE_CHANGE_TTL_HOURS} hours without a second admin. Ask again if it is still needed.`;
  if (change.requestedById === confirmerId) return "You asked for this change; another admin has to confirm it.";
  if (change.kind === "ROLE_GRANT" && change.subjectUserId === confirmerId)
    return "Nobody can confirm a role for themselves; another admin has to.";
  return null;
}

/** Who may decline (withdraw) a pending change: any admin, including the one who asked. */
export function declineRefusal(change: Pick<PendingChangeFacts, "status">): string | null {
  if (change.status === "CONFIRMED") return "This change was already confirmed; it can no longer be declined.";
  if (change.status !== "PENDING") return "This change is no longer waiting for a decision.";
  return null;
}

export function expiryOf(requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + GATE_CHANGE_TTL_HOURS * 3_600_000);
}
