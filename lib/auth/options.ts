import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { demoLoginEnabled, env, oidcEnabled } from "@/lib/env";
import { log } from "@/lib/log";
import { findAccountUserId, provisionOidcUser, verifyPassword } from "@/lib/people/sign-in";
import { signInSchema } from "@/lib/schemas/auth";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

function oidcProvider(): OAuthConfig<OidcProfile> | OAuthConfig<Record<string, unknown>> {
  const config = env();
  const issuer = config.OIDC_ISSUER!.replace(/\/$/, "");
  // GitHub speaks OAuth 2 without OIDC discovery; next-auth's provider covers its quirks.
  if (new URL(issuer).hostname === "github.com") {
    return GitHubProvider({
      clientId: config.OIDC_CLIENT_ID!,
      clientSecret: config.OIDC_CLIENT_SECRET!,
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
    profile(profile: OidcProfile) {
      return {
        id: profile.sub,
        email: profile.email ?? null,
        name: profile.name ?? profile.preferred_username ?? profile.email ?? profile.sub,
      };
    },
  };
}

let options: NextAuthOptions | undefined;

/** Sign-in configuration, built on first use so `next build` needs no secrets. */
export function getAuthOptions(): NextAuthOptions {
  if (options) return options;
  const config = env();
  const providers: NextAuthOptions["providers"] = [];
  if (demoLoginEnabled(config)) {
    providers.push(
      CredentialsProvider({
        id: "demo",
        name: "Demo account",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw) {
          const parsed = signInSchema.safeParse(raw);
          if (!parsed.success) return null;
          return verifyPassword(parsed.data.email, parsed.data.password);
        },
      }),
    );
  }
  if (oidcEnabled(config)) providers.push(oidcProvider());

  options = {
    secret: config.AUTH_SECRET,
    providers,
    pages: { signIn: "/sign-in", error: "/sign-in" },
    // Signed, encrypted cookies: a restart (or another replica) reads the same session.
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    callbacks: {
      async signIn({ account, profile, user }) {
        if (!account || account.provider === "demo") return Boolean(user);
        const oidc = profile as OidcProfile | undefined;
        const email = oidc?.email ?? user.email;
        if (!email) return "/sign-in?error=NoEmail";
        if (oidc?.email_verified === false) return "/sign-in?error=EmailUnverified";
        // next-auth's GitHub provider takes the account's primary email, which GitHub has verified.
        const emailVerified = account.provider === "github" || oidc?.email_verified === true;
        const id = await provisionOidcUser(
          {
            provider: account.provider,
            providerAccountId: account.providerAccountId,
            email,
            emailVerified,
            name: user.name ?? email,
          },
          { adminEmails: config.ADMIN_EMAILS, defaultRole: config.OIDC_DEFAULT_ROLE },
        );
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
  return options;
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
