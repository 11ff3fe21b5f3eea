import { beforeAll, describe, expect, it } from "vitest";
import { loadUser } from "@/lib/auth/current-user";
import { provisionOidcUser } from "@/lib/people/sign-in";
import { seedDemo } from "@/tests/support/fixtures";

let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});

const policy = { adminEmails: ["boss@acme.example"], defaultRole: "none" as const };

describe("first sign-in through OIDC", () => {
  it("creates a person with no role by default, and audits it", async () => {
    const id = await provisionOidcUser(
      {
        provider: "oidc",
        providerAccountId: "sub-1",
        email: "New.Person@acme.example",
        emailVerified: true,
        name: "New Person",
      },
      policy,
    );
    expect(id).toBeTruthy();
    const user = await loadUser(id!);
    expect(user).toMatchObject({ email: "new.person@acme.example", roles: [] });
    expect(await f.db.auditLog.count({ where: { action: "user.create", targetId: id! } })).toBe(1);
  });

  it("recognises the same identity next time", async () => {
    const again = await provisionOidcUser(
      {
        provider: "oidc",
        providerAccountId: "sub-1",
        email: "new.person@acme.example",
        emailVerified: true,
        name: "New Person",
      },
      policy,
    );
    expect(await f.db.user.count({ where: { email: "new.person@acme.example" } })).toBe(1);
    expect(again).toBe((await f.db.user.findUniqueOrThrow({ where: { email: "new.person@acme.example" } })).id);
  });

  it("gives the configured default role", async () => {
    const id = await provisionOidcUser(
      {
        provider: "oidc",
        providerAccountId: "sub-2",
        email: "reader@acme.example",
        emailVerified: true,
        name: "Reader",
      },
      { ...policy, defaultRole: "VIEWER" },
    );
    expect((await loadUser(id!))?.roles).toEqual(["VIEWER"]);
  });

  it("makes listed emails admins only when the provider verified them", async () => {
    const unverified = await provisionOidcUser(
      { provider: "oidc", providerAccountId: "sub-3", email: "boss@acme.example", emailVerified: false, name: "Boss?" },
      policy,
    );
    expect((await loadUser(unverified!))?.roles).toEqual([]);
    const verified = await provisionOidcUser(
      { provider: "other", providerAccountId: "sub-4", email: "boss2@acme.example", emailVerified: true, name: "Boss" },
      { ...policy, adminEmails: ["boss2@acme.example"] },
    );
    expect((await loadUser(verified!))?.roles).toEqual(["ADMIN"]);
  });

  it("refuses to attach an unverified email to an existing person", async () => {
    const hijack = await provisionOidcUser(
      {
        provider: "oidc",
        providerAccountId: "attacker",
        email: "admin@greenlight.local",
        emailVerified: false,
        name: "Not Ada",
      },
      policy,
    );
    expect(hijack).toBeNull();
    expect(await f.db.account.count({ where: { providerAccountId: "attacker" } })).toBe(0);
    const linked = await provisionOidcUser(
      { provider: "oidc", providerAccountId: "ada", email: "admin@greenlight.local", emailVerified: true, name: "Ada" },
      policy,
    );
    expect(linked).toBe(f.admin.id);
  });

  it("refuses a disabled person", async () => {
    await f.db.user.update({ where: { id: f.onCall.id }, data: { disabledAt: new Date() } });
    expect(
      await provisionOidcUser(
        {
          provider: "oidc",
          providerAccountId: "omar",
          email: "oncall@greenlight.local",
          emailVerified: true,
          name: "Omar",
        },
        policy,
      ),
    ).toBeNull();
    expect(await loadUser(f.onCall.id)).toBeNull();
  });
});
