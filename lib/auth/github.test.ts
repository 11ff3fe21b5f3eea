import { describe, expect, it } from "vitest";
import { chooseGitHubEmail, fetchGitHubProfile, type GitHubEmail } from "@/lib/auth/github";

const e = (email: string, primary: boolean, verified: boolean): GitHubEmail => ({ email, primary, verified });

describe("the email a GitHub account signs in with", () => {
  it.each<[string, GitHubEmail[], ReturnType<typeof chooseGitHubEmail>]>([
    ["a verified primary", [e("a@x.dev", false, true), e("p@x.dev", true, true)], { email: "p@x.dev", verified: true }],
    [
      "a verified other when the primary is not",
      [e("p@x.dev", true, false), e("a@x.dev", false, true)],
      { email: "a@x.dev", verified: true },
    ],
    [
      "the unverified primary when nothing is verified",
      [e("a@x.dev", false, false), e("p@x.dev", true, false)],
      { email: "p@x.dev", verified: false },
    ],
    ["any unverified one without a primary", [e("a@x.dev", false, false)], { email: "a@x.dev", verified: false }],
    ["nothing without emails", [], null],
  ])("%s", (_name, emails, chosen) => {
    expect(chooseGitHubEmail(emails)).toEqual(chosen);
  });
});

describe("GitHub's profile with the verified flag", () => {
  function api(routes: Record<string, Response>): typeof fetch {
    return (async (url: string) => routes[url] ?? new Response("no", { status: 404 })) as typeof fetch;
  }

  it("takes the email and its flag from /user/emails, not the public profile", async () => {
    const profile = await fetchGitHubProfile(
      "t",
      api({
        "https://api.github.com/user": Response.json({ id: 7, login: "octo", name: null, email: "public@x.dev" }),
        "https://api.github.com/user/emails": Response.json([
          { email: "public@x.dev", primary: false, verified: false, visibility: "public" },
          { email: "octo@x.dev", primary: true, verified: true, visibility: null },
        ]),
      }),
    );
    expect(profile).toMatchObject({ id: 7, login: "octo", name: undefined, email: "octo@x.dev", email_verified: true });
  });

  it("keeps the public email but unverified when the list cannot be read", async () => {
    const profile = await fetchGitHubProfile(
      "t",
      api({ "https://api.github.com/user": Response.json({ id: 8, login: "o", email: "public@x.dev" }) }),
    );
    expect(profile).toMatchObject({ email: "public@x.dev", email_verified: false });
  });

  it("fails when GitHub refuses the token", async () => {
    await expect(fetchGitHubProfile("t", api({}))).rejects.toThrow(/GitHub \/user answered 404/);
  });
});
