import { describe, expect, it } from "vitest";
import {
  effectivePermissions,
  environmentAllowed,
  generateSecret,
  hashSecret,
  parseAuthorization,
  shouldTouchLastUsed,
  shownPrefix,
  tokenState,
} from "@/lib/api-tokens/token";
import { can } from "@/lib/rbac";

describe("secrets", () => {
  it("are glt_ and 43 base64url characters, different each time, and parse back", () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^glt_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(parseAuthorization(`Bearer ${a}`)).toEqual({ ok: true, secret: a });
    expect(parseAuthorization(`bearer ${a}`)).toEqual({ ok: true, secret: a });
  });

  it("hash to the hex SHA-256 of the secret", () => {
    // sha256("glt_test") computed independently: `printf glt_test | sha256sum`
    expect(hashSecret("glt_test")).toBe("e190e7b7cffd7f244d3abfca32168ed50500fcea205e76f28a17e6a2bbbd64ae");
    expect(hashSecret("glt_a")).not.toBe(hashSecret("glt_b"));
  });

  it("show only the prefix and eight characters", () => {
    const secret = generateSecret();
    expect(shownPrefix(secret)).toBe(secret.slice(0, 12));
    expect(shownPrefix(secret).startsWith("glt_")).toBe(true);
  });
});

describe("parseAuthorization", () => {
  const secret = generateSecret();
  it.each([
    [null, /Send an API token/],
    ["", /Send an API token/],
    ["   ", /Send an API token/],
    [`Basic ${secret}`, /must be “Bearer ”/],
    [`Bearer`, /must be “Bearer ”/],
    [`Bearer ${secret} extra`, /must be “Bearer ”/],
    [`Token ${secret}`, /must be “Bearer ”/],
    ["Bearer guessed", /not a Greenlight API token/],
    [`Bearer ${secret}x`, /not a Greenlight API token/],
    [`Bearer ghp_${secret.slice(4)}`, /not a Greenlight API token/],
  ])("refuses %j", (header, reason) => {
    const parsed = parseAuthorization(header);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason).not.toContain(secret.slice(4));
    }
  });
});

describe("effective permissions", () => {
  it("are the scopes the owner's current roles also allow", () => {
    const scopes = ["dashboard:read", "release:create", "release:deploy", "settings:manage"];
    expect(effectivePermissions(scopes, ["RELEASE_MANAGER"])).toEqual([
      "dashboard:read",
      "release:create",
      "release:deploy",
    ]);
    expect(effectivePermissions(scopes, ["VIEWER"])).toEqual(["dashboard:read"]);
    expect(effectivePermissions(scopes, [])).toEqual([]);
    expect(effectivePermissions(["not:a-permission"], ["ADMIN"])).toEqual([]);
  });

  it("limit can(): a scope the roles allow but the token lacks is refused, and the reverse", () => {
    const roles = ["RELEASE_MANAGER"] as const;
    const caller = { roles, scopes: effectivePermissions(["release:create", "settings:manage"], roles) };
    expect(can(caller, "release:create")).toBe(true);
    expect(can(caller, "release:deploy")).toBe(false); // the role allows it, the token does not
    expect(can(caller, "settings:manage")).toBe(false); // the token asks for it, the role does not
    expect(can({ roles }, "release:deploy")).toBe(true); // a session has no scopes
  });
});

describe("token state", () => {
  const now = new Date("2026-12-06T10:00:00Z");
  it("refuses revoked and expired tokens, with the date", () => {
    expect(tokenState({ revokedAt: null, expiresAt: new Date("2026-12-07T00:00:00Z") }, now)).toEqual({
      usable: true,
    });
    expect(tokenState({ revokedAt: now, expiresAt: new Date("2027-01-01T00:00:00Z") }, now)).toEqual({
      usable: false,
      reason: "This API token was revoked.",
    });
    expect(tokenState({ revokedAt: null, expiresAt: now }, now)).toEqual({
      usable: false,
      reason: "This API token expired on 2026-12-06.",
    });
  });

  it("writes the last-used time at most once a minute", () => {
    expect(shouldTouchLastUsed(null, now)).toBe(true);
    expect(shouldTouchLastUsed(new Date(now.getTime() - 59_999), now)).toBe(false);
    expect(shouldTouchLastUsed(new Date(now.getTime() - 60_000), now)).toBe(true);
  });

  it("restricts environments only when some are listed", () => {
    expect(environmentAllowed([], "env1")).toBe(true);
    expect(environmentAllowed(["env1"], "env1")).toBe(true);
    expect(environmentAllowed(["env1"], "env2")).toBe(false);
  });
});
