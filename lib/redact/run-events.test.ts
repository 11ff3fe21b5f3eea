import { describe, expect, it } from "vitest";
import { eventsFor, mayReadStepBodies } from "@/lib/redact/run-events";
import { REDACTED } from "@/lib/redact/secrets";

const stored = [
  {
    seq: 1,
    message: "apply failed: cannot reach postgres://app:s3cret@db:5432/shop",
    request: { env: [{ name: "DB_PASSWORD", value: "s3cret" }] },
    response: { kind: "Status" },
  },
];

describe("eventsFor", () => {
  it("gives bodies, redacted, to those who act on runs; summaries to the others; messages redacted for all", () => {
    const manager = eventsFor({ roles: ["RELEASE_MANAGER"] }, stored);
    expect(manager[0]).toMatchObject({
      message: `apply failed: cannot reach postgres://app:${REDACTED}@db:5432/shop`,
      request: { env: [{ name: "DB_PASSWORD", value: REDACTED }] },
    });
    const viewer = eventsFor({ roles: ["VIEWER"] }, stored);
    expect(viewer[0]).toEqual({
      seq: 1,
      message: `apply failed: cannot reach postgres://app:${REDACTED}@db:5432/shop`,
    });
  });

  it.each([
    ["RELEASE_MANAGER", true],
    ["ON_CALL", true],
    ["ADMIN", true],
    ["CTO", false],
    ["VIEWER", false],
  ] as const)("%s reads step bodies: %s", (role, expected) => {
    expect(mayReadStepBodies({ roles: [role] })).toBe(expected);
  });
});
