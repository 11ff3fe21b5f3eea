import type { Account, Profile, User } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadUser } from "@/lib/auth/current-user";
import { getAuthOptions } from "@/lib/auth/options";
import { seedDemo } from "@/tests/support/fixtures";

// This file's app: GitHub sign-in, with two emails listed for the admin bootstrap.
process.env.OIDC_ISSUER = "https://github.com";
process.env.OIDC_CLIENT_ID = "github-client";
process.env.OIDC_CLIENT_SECRET = "github-secret";
process.env.ADMIN_EMAILS = "boss@acme.example,admin@greenlight.local";

let f: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  f = await seedDemo();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

type GitHubEmails = { email: string; primary: boolean; verified: boolean }[];

/** GitHub's API as the provider's userinfo request sees it, for one access token. */
function fakeGitHub(user: Record<string, unknown>, emails: GitHubEmails | null) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      expect(new Headers(init?.headers).get("authorization")).toBe("Bearer gho_token");
      if (url === "https://api.github.com/user") return Response.json(user);
      if (url === "https://api.github.com/user/emails")
        return emails ? Response.json(emails) : new Response("Not Found", { status: 404 });
      return new Response("unexpected", { status: 500 });
    }),
  );
}

function github() {
  const provider = getAuthOptions().providers.find((p) => p.id === "github") as OAuthConfig<Profile> | undefined;
  if (!provider) throw new Error("GitHub sign-in is not configured");
  return provider;
}

/** What next-auth does after GitHub's callback: the userinfo request, the profile, the signIn callback. */
async function signInThroughGitHub(githubId: number): Promise<string | boolean> {
  const provider = github();
  const userinfo = provider.options?.userinfo;
  if (!userinfo || typeof userinfo === "string" || !userinfo.request) throw new Error("no GitHub userinfo request");
  const profile = await userinfo.request({
    tokens: { access_token: "gho_token" },
    client: undefined as never,
    provider: provider as never,
  });
  const user = (await provider.profile(profile, { access_token: "gho_token" })) as User;
  const account: Account = { provider: "github", type: "oauth", providerAccountId: String(githubId) };
  return getAuthOptions().callbacks!.signIn!({ user, account, profile });
}

describe("GitHub sign-in reads whether GitHub verified the email", () => {
  it("does not treat the stock provider's profile (no verified flag) as verified", async () => {
    // What next-auth's GitHub provider hands over on its own: the primary email, no verified flag.
    const result = await getAuthOptions().callbacks!.signIn!({
      user: { id: "501", email: "admin@greenlight.local", name: "Not Ada" },
      account: { provider: "github", type: "oauth", providerAccountId: "501" },
      profile: { email: "admin@greenlight.local", name: "Not Ada" } as Profile,
    });
    expect(result).not.toBe(true);
    expect(await f.db.account.count({ where: { provider: "github", providerAccountId: "501" } })).toBe(0);
  });

  it("refuses an unverified email: no link to the existing person, no admin", async () => {
    fakeGitHub({ id: 601, login: "mallory", name: "Mallory", email: null }, [
      { email: "admin@greenlight.local", primary: true, verified: false },
    ]);
    expect(await signInThroughGitHub(601)).toBe("/sign-in?error=EmailUnverified");
    expect(await f.db.account.count({ where: { provider: "github", providerAccountId: "601" } })).toBe(0);
    expect(await loadUser(f.admin.id)).toMatchObject({ roles: ["ADMIN"] });
  });

  it("counts an email as unverified when GitHub's email list cannot be read", async () => {
    fakeGitHub({ id: 602, login: "eve", name: null, email: "boss@acme.example" }, null);
    expect(await signInThroughGitHub(602)).toBe("/sign-in?error=EmailUnverified");
    expect(await f.db.user.count({ where: { email: "boss@acme.example" } })).toBe(0);
  });

  it("signs in with a verified email, which may bootstrap an admin", async () => {
    fakeGitHub({ id: 603, login: "boss", name: "The Boss", email: null }, [
      { email: "boss@old.example", primary: true, verified: false },
      { email: "boss@acme.example", primary: false, verified: true },
    ]);
    expect(await signInThroughGitHub(603)).toBe(true);
    const boss = await f.db.user.findUniqueOrThrow({ where: { email: "boss@acme.example" } });
    expect(await loadUser(boss.id)).toMatchObject({ name: "The Boss", roles: ["ADMIN"] });
  });

  it("links a verified primary email to the existing person", async () => {
    fakeGitHub({ id: 604, login: "ada", name: "Ada", email: "admin@greenlight.local" }, [
      { email: "admin@greenlight.local", primary: true, verified: true },
    ]);
    expect(await signInThroughGitHub(604)).toBe(true);
    const linked = await f.db.account.findUniqueOrThrow({
      where: { provider_providerAccountId: { provider: "github", providerAccountId: "604" } },
    });
    expect(linked.userId).toBe(f.admin.id);
  });
});
