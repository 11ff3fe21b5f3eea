/**
 * The e2e suite's OpenID provider (e2e/oidc/provider.ts): its client and its people, shared by
 * playwright.config.ts (which starts it and points the app at it) and the specs (which sign in
 * through it).
 *
 * The e2e database outlives a run (.data/e2e), so the people whose first sign-in a spec walks
 * carry the run's tag: every run meets them as strangers again.
 */
export const OIDC_CLIENT_ID = "greenlight-e2e";
export const OIDC_CLIENT_SECRET = "greenlight-e2e-client-secret-not-for-production";
export const OIDC_DISPLAY_NAME = "Test provider";

export interface TestAccount {
  /** What the provider's login form asks for; also the subject (sub). */
  username: string;
  email: string;
  /** The `email_verified` claim; undefined leaves the claim out, as some providers do. */
  emailVerified: boolean | undefined;
  name: string;
}

export function testAccounts(run: string) {
  return {
    newcomer: {
      username: `newcomer-${run}`,
      email: `newcomer-${run}@oidc.test`,
      emailVerified: true,
      name: `Nia Newcomer ${run}`,
    },
    boss: { username: `boss-${run}`, email: `boss-${run}@oidc.test`, emailVerified: true, name: `Bea Boss ${run}` },
    // Two strangers claiming the demo admin's address: one whose provider says it is unverified,
    // one whose provider says nothing about it.
    impostor: { username: "impostor", email: "admin@greenlight.local", emailVerified: false, name: "Not Ada" },
    unvouched: {
      username: "unvouched",
      email: "admin@greenlight.local",
      emailVerified: undefined,
      name: "Also Not Ada",
    },
  } satisfies Record<string, TestAccount>;
}

/** The run's tag: set once by playwright.config.ts, inherited by the workers and the provider. */
export function runTag(): string {
  const tag = process.env.E2E_OIDC_RUN;
  if (!tag) throw new Error("E2E_OIDC_RUN is not set; run the e2e suite through playwright.config.ts");
  return tag;
}
