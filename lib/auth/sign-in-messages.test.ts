import { describe, expect, it } from "vitest";
import { isLockedOutMessage, lockedOutMessage, passwordSignInError } from "@/lib/auth/sign-in-messages";

describe("sign-in refusals", () => {
  it("says how long to wait, in whole minutes rounded up", () => {
    expect(lockedOutMessage(11 * 60_000 + 1)).toBe("Too many failed sign-ins. Try again in 12 minutes.");
    expect(lockedOutMessage(15 * 60_000)).toBe("Too many failed sign-ins. Try again in 15 minutes.");
    expect(lockedOutMessage(20_000)).toBe("Too many failed sign-ins. Try again in 1 minute.");
    expect(lockedOutMessage(0)).toBe("Too many failed sign-ins. Try again in 1 minute.");
  });

  it("shows the wait in the form, and a wrong password otherwise", () => {
    expect(passwordSignInError(lockedOutMessage(90_000))).toBe("Too many failed sign-ins. Try again in 2 minutes.");
    expect(passwordSignInError("CredentialsSignin")).toBe("That password is not right for this account.");
    expect(passwordSignInError(undefined)).toBe("That password is not right for this account.");
  });

  it("recognises only the lockout message itself (it also travels in the page's URL)", () => {
    expect(isLockedOutMessage(lockedOutMessage(60_000))).toBe(true);
    expect(isLockedOutMessage("Too many failed sign-ins. Call +1 555 0100 to unlock.")).toBe(false);
    expect(isLockedOutMessage("CredentialsSignin")).toBe(false);
  });
});
