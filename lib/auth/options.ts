import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { OAuthConfig } from "next-auth/providers/oauth";
import type { TokenSet } from "openid-client";
import { clientAddress } from "@/lib/auth/client-address";
import { demoLoginEnabled } from "@/lib/auth/demo-login";
import { fetchGitHubProfile } from "@/lib/auth/github";
import { signInWithPassword } from "@/lib/auth/password-sign-in";
import { env, oidcEnabled, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { findAccountUserId, provisionOidcUser, type OidcIdentity } from "@/lib/people/sign-in";
import { signInSchema } from "@/lib/schemas/auth";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

function oidcProvider(config: Env): OAuthConfig<OidcProfile> | OAuthConfig<Record<string, unknown>> {
  const issuer = config.OIDC_ISSUER!.replace(/\/$/, "");
  // GitHub speaks OAuth 2 without OIDC discovery; next-auth's provider covers its quirks.
  if (new URL(issuer).hostname === "github.com") {
    return GitHubProvider({
      clientId: config.OIDC_CLIENT_ID!,
      clientSecret: config.OIDC_CLIENT_SECRET!,
      // The stock request keeps the profile's email without saying whether GitHub verified it.
      userinfo: {
        url: "https://api.github.com/user",
        async request({ tokens }) {
          return fetchGitHubProfile(tokens.access_token!);
        },
      },
    }) as OAuthConfig<Record<string, unknown>>;
  }
  return {
    id: "oidc",
    name: config.OIDC_DISPLAY_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    // A provider that also issues an access token may keep the scopes' claims (email,
    // email_verified, name) out of the ID token and serve them from userinfo only (OIDC Core 5.4;
    // oidc-provider and Okta do). openid-client refuses a userinfo answer about another subject.
    userinfo: {
      async request({ tokens, client }) {
        // next-auth passes openid-client's TokenSet, though it types it as the plain parameters.
        const set = tokens as TokenSet;
        return { ...set.claims(), ...(await client.userinfo(set)) };
      },
    },
    profile(profile: OidcProfile) {
      return {
        id: profile.sub,
        email: profile.email ?? null,
        name: profile.name ?? profile.preferred_username ?? profile.email ?? profile.sub,
      };
    },
  };
}

/**
 * The identity an OAuth/OIDC sign-in presents, or the sign-in page error to show instead. The
 * email counts as verified only when the provider said so: `email_verified` in the OIDC claims,
 * or for GitHub the flag read from /user/emails (lib/auth/github.ts).
 */
export function identityFromSignIn(
  account: { provider: string; providerAccountId: string },
  profile: OidcProfile | undefined,
  user: { email?: string | null; name?: string | null },
): { identity: OidcIdentity } | { error: "NoEmail" | "EmailUnverified" } {
  const email = profile?.email ?? user.email;
  if (!email) return { error: "NoEmail" };
  if (profile?.email_verified === false) return { error: "EmailUnverified" };
  return {
    identity: {
      provider: account.provider,
      providerAccountId: account.providerAccountId,
      email,
      emailVerified: profile?.email_verified === true,
      name: user.name ?? email,
    },
  };
}

/** Session cookies are Secure (and __Secure-/__Host- prefixed) whenever the app is served over https. */
export function secureCookies(config: Env): boolean {
  return config.APP_URL ? new URL(config.APP_URL).protocol === "https:" : false;
}

let options: NextAuthOptions | undefined;

/** Sign-in configuration, built on first use so `next build` needs no secrets. */
export function getAuthOptions(): NextAuthOptions {
  options ??= buildAuthOptions(env());
  return options;
}

export function buildAuthOptions(config: Env): NextAuthOptions {
  const providers: NextAuthOptions["providers"] = [];
  if (demoLoginEnabled(config)) {
    providers.push(
      CredentialsProvider({
        id: "demo",
        name: "Demo account",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, request) {
          const parsed = signInSchema.safeParse(raw);
          if (!parsed.success) return null;
          const result = await signInWithPassword({
            ...parsed.data,
            address: clientAddress(request?.headers ?? {}),
          });
          if (result.ok) return result.user;
          // next-auth hands a thrown message to the form as the error (a plain null reads as a wrong password).
          if (result.message) throw new Error(result.message);
          return null;
        },
      }),
    );
  }
  if (oidcEnabled(config)) providers.push(oidcProvider(config));

  return {
    secret: config.AUTH_SECRET,
    providers,
    useSecureCookies: secureCookies(config),
    pages: { signIn: "/sign-in", error: "/sign-in" },
    // Signed, encrypted cookies: a restart (or another replica) reads the same session.
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    callbacks: {
      async signIn({ account, profile, user }) {
        if (!account || account.provider === "demo") return Boolean(user);
        const presented = identityFromSignIn(account, profile as OidcProfile | undefined, user);
        if ("error" in presented) return `/sign-in?error=${presented.error}`;
        const id = await provisionOidcUser(presented.identity, {
          adminEmails: config.ADMIN_EMAILS,
          defaultRole: config.OIDC_DEFAULT_ROLE,
        });
        return id ? true : "/sign-in?error=AccessDenied";
      },
      async jwt({ token, user, account }) {
        if (account && user) {
          token.uid =
            account.provider === "demo"
              ? user.id
              : ((await findAccountUserId(account.provider, account.providerAccountId)) ?? undefined);
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
    logger: {
      error: (code, metadata) => log.error({ code, metadata }, "auth error"),
      warn: (code) => log.warn({ code }, "auth warning"),
      debug: () => {},
    },
  };
}

/** Which ways to sign in this installation offers, for the sign-in page. */
export function signInMethods() {
  const config = env();
  return {
    demo: demoLoginEnabled(config),
    oidc: oidcEnabled(config)
      ? {
          id: new URL(config.OIDC_ISSUER!).hostname === "github.com" ? "github" : "oidc",
          name: config.OIDC_DISPLAY_NAME,
        }
      : null,
  };
}
