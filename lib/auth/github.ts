/**
 * GitHub sign-in: GitHub is not an OpenID provider, and the profile next-auth's GitHub provider
 * builds says nothing about whether its email is verified. Whether it is decides account linking
 * and the ADMIN_EMAILS bootstrap, so the email and its verified flag are read from GitHub's
 * /user/emails with the access token (scope user:email, which the provider asks for).
 */

const GITHUB_API = "https://api.github.com";

/** One entry of GitHub's GET /user/emails. */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export interface ChosenEmail {
  email: string;
  verified: boolean;
}

/**
 * The email a GitHub account signs in with: the primary one when GitHub verified it, else another
 * verified one, else the primary (or any) one marked unverified, which may neither link to an
 * existing person nor make anyone an admin.
 */
export function chooseGitHubEmail(emails: readonly GitHubEmail[]): ChosenEmail | null {
  const primary = emails.find((e) => e.primary);
  if (primary?.verified) return { email: primary.email, verified: true };
  const verified = emails.find((e) => e.verified);
  if (verified) return { email: verified.email, verified: true };
  const fallback = primary ?? emails[0];
  return fallback ? { email: fallback.email, verified: false } : null;
}

function isGitHubEmail(value: unknown): value is GitHubEmail {
  if (!value || typeof value !== "object") return false;
  const e = value as Record<string, unknown>;
  return typeof e.email === "string" && typeof e.primary === "boolean" && typeof e.verified === "boolean";
}

/** GitHub's profile as next-auth hands it to the sign-in callback, with the chosen email. */
export interface GitHubProfile extends Record<string, unknown> {
  id: number | string;
  login?: string;
  name?: string;
  avatar_url?: string;
  email?: string;
  /** True only when GitHub's /user/emails said so. */
  email_verified: boolean;
}

async function getJson(path: string, accessToken: string, fetcher: typeof fetch): Promise<Response> {
  return fetcher(`${GITHUB_API}${path}`, {
    headers: {
      Authorization: `Bearer ${accessToken}`,
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
      "User-Agent": "Greenlight",
    },
  });
}

/**
 * next-auth's `userinfo.request` for GitHub: the user, and the email chosen from /user/emails.
 * When the emails cannot be read, the profile's public email is kept but counts as unverified.
 */
export async function fetchGitHubProfile(accessToken: string, fetcher: typeof fetch = fetch): Promise<GitHubProfile> {
  const userResponse = await getJson("/user", accessToken, fetcher);
  if (!userResponse.ok) throw new Error(`GitHub /user answered ${userResponse.status}`);
  const user = (await userResponse.json()) as Record<string, unknown>;
  const emailsResponse = await getJson("/user/emails", accessToken, fetcher);
  const emails: unknown = emailsResponse.ok ? await emailsResponse.json() : [];
  const chosen = chooseGitHubEmail(Array.isArray(emails) ? emails.filter(isGitHubEmail) : []);
  const publicEmail = typeof user.email === "string" ? user.email : undefined;
  return {
    ...user,
    id: user.id as number | string,
    name: typeof user.name === "string" ? user.name : undefined,
    email: chosen?.email ?? publicEmail,
    email_verified: chosen?.verified ?? false,
  };
}
