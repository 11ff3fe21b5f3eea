// Shared by the server (which words the refusal) and the sign-in form (which shows it): no server code here.

export const LOCKED_OUT_PREFIX = "Too many failed sign-ins.";

/** "Too many failed sign-ins. Try again in 12 minutes." (whole minutes, rounded up). */
export function lockedOutMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return `${LOCKED_OUT_PREFIX} Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
}

/**
 * Whether next-auth's error is the lockout message, word for word. The error also arrives in the
 * sign-in page's URL, which anyone can write, so nothing else is shown as given.
 */
export function isLockedOutMessage(error: string | null | undefined): error is string {
  return typeof error === "string" && /^Too many failed sign-ins\. Try again in \d{1,4} minutes?\.$/.test(error);
}

/** What the demo sign-in form says for next-auth's error: the wait when locked out, else a wrong password. */
export function passwordSignInError(error: string | null | undefined): string {
  if (isLockedOutMessage(error)) return error;
  return "That password is not right for this account.";
}
