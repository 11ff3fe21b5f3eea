import { describe, expect, it } from "vitest";
import {
  confirmRefusal,
  declineRefusal,
  environmentWeakenings,
  expiryOf,
  roleGrantNeedsConfirmation,
  type EnvironmentGate,
  type PendingChangeFacts,
} from "@/lib/gate-changes/rules";
import { ALL_ROLES } from "@/lib/roles";

const strict: EnvironmentGate = {
  requiresApproval: true,
  authorMaySign: false,
  approvalTtlHours: 72,
  errorBudgetGate: true,
};

describe("environmentWeakenings", () => {
  it.each<[string, Partial<EnvironmentGate>, string[]]>([
    ["no change", {}, []],
    ["approval off", { requiresApproval: false }, ["turning approval off"]],
    ["author may sign", { authorMaySign: true }, ["letting a release's author sign it"]],
    ["longer sign-off validity", { approvalTtlHours: 168 }, ["keeping sign-offs valid longer (72 h → 168 h)"]],
    ["shorter sign-off validity tightens", { approvalTtlHours: 24 }, []],
    ["error-budget gate off", { errorBudgetGate: false }, ["turning the error-budget gate off"]],
    [
      "several at once",
      { requiresApproval: false, errorBudgetGate: false },
      ["turning approval off", "turning the error-budget gate off"],
    ],
  ])("%s", (_, change, expected) => {
    expect(environmentWeakenings(strict, { ...strict, ...change })).toEqual(expected);
  });

  it("tightening a loose environment needs nobody", () => {
    const loose: EnvironmentGate = {
      requiresApproval: false,
      authorMaySign: true,
      approvalTtlHours: 168,
      errorBudgetGate: false,
    };
    expect(environmentWeakenings(loose, strict)).toEqual([]);
  });
});

describe("roleGrantNeedsConfirmation", () => {
  it("approver roles and admin need a second admin; the others do not", () => {
    const needing = ALL_ROLES.filter(roleGrantNeedsConfirmation);
    expect(needing.sort()).toEqual(
      ["ADMIN", "CTO", "DEVOPS_LEAD", "ENGINEERING_LEAD", "HEAD_OF_SUPPORT", "PRODUCT_LEAD", "SECURITY_LEAD"].sort(),
    );
  });
});

describe("confirmRefusal", () => {
  const now = new Date("2026-12-05T12:00:00Z");
  const pending: PendingChangeFacts = {
    status: "PENDING",
    kind: "ENVIRONMENT_SETTINGS",
    requestedById: "ada",
    expiresAt: new Date("2026-12-06T00:00:00Z"),
  };
  it.each<[string, Partial<PendingChangeFacts>, string, RegExp | null]>([
    ["another admin confirms", {}, "bo", null],
    ["the requester cannot", {}, "ada", /another admin has to confirm/],
    ["already confirmed", { status: "CONFIRMED" }, "bo", /already confirmed/],
    ["declined", { status: "DECLINED" }, "bo", /declined/],
    ["expired by status", { status: "EXPIRED" }, "bo", /lapsed after 24 hours/],
    ["expired by time", { expiresAt: now }, "bo", /lapsed/],
    ["a role for oneself", { kind: "ROLE_GRANT", subjectUserId: "bo" }, "bo", /for themselves/],
    ["a role for someone else", { kind: "ROLE_GRANT", subjectUserId: "cy" }, "bo", null],
  ])("%s", (_, change, confirmer, expected) => {
    const refusal = confirmRefusal({ ...pending, ...change }, confirmer, now);
    if (expected) expect(refusal).toMatch(expected);
    else expect(refusal).toBeNull();
  });
});

describe("declineRefusal", () => {
  it.each<[PendingChangeFacts["status"], RegExp | null]>([
    ["PENDING", null],
    ["CONFIRMED", /already confirmed/],
    ["DECLINED", /no longer waiting/],
    ["EXPIRED", /no longer waiting/],
  ])("%s", (status, expected) => {
    const refusal = declineRefusal({ status });
    if (expected) expect(refusal).toMatch(expected);
    else expect(refusal).toBeNull();
  });
});

it("a request lapses after 24 hours", () => {
  expect(expiryOf(new Date("2026-12-05T10:00:00Z"))).toEqual(new Date("2026-12-06T10:00:00Z"));
});
