import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getCurrentUser } from "@/lib/auth/current-user";
import { signInMethods } from "@/lib/auth/options";
import { isLockedOutMessage } from "@/lib/auth/sign-in-messages";
import { listDemoAccounts } from "@/lib/people/queries";
import { ROLE_LABELS } from "@/lib/roles";
import { safeCallbackPath } from "@/lib/safe-redirect";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

const ERRORS: Record<string, string> = {
  CredentialsSignin: "That email and password do not match a demo account.",
  AccessDenied:
    "Greenlight refused this sign-in: the account is disabled, or your provider has not verified your email address and it already belongs to someone here. Ask an admin.",
  NoEmail: "Your identity provider did not share an email address, which Greenlight needs.",
  EmailUnverified: "Verify your email address with your identity provider first.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; callbackUrl?: string }>;
}) {
  const { error, callbackUrl } = await searchParams;
  if (await getCurrentUser()) redirect("/");
  const methods = signInMethods();
  const accounts = methods.demo
    ? (await listDemoAccounts()).map((u) => ({
        email: u.email,
        label: `${u.name} — ${u.roles.map((r) => ROLE_LABELS[r.role]).join(", ") || "no role"}`,
      }))
    : [];
  // A sign-in link must never send people to another site.
  const safeCallback = safeCallbackPath(callbackUrl);

  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm space-y-6">
        <div className="text-center">
          <div
            className="mx-auto mb-3 flex size-10 items-center justify-center rounded-full bg-primary text-primary-foreground"
            aria-hidden
          >
            ✓
          </div>
          <h1 className="text-2xl font-semibold">Sign in to Greenlight</h1>
          <p className="mt-1 text-sm text-muted-foreground">Release control for teams that ship to Kubernetes</p>
        </div>
        {error ? (
          <p
            role="alert"
            className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive"
          >
            {Object.hasOwn(ERRORS, error)
              ? ERRORS[error]
              : isLockedOutMessage(error)
                ? error
                : "Sign-in failed. Try again."}
          </p>
        ) : null}
        <SignInForm accounts={accounts} oidc={methods.oidc} callbackUrl={safeCallback} />
        {!methods.demo && !methods.oidc ? (
          <p className="text-sm text-muted-foreground">
            No sign-in method is configured. Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or
            GREENLIGHT_DEMO_LOGIN=true for local accounts.
          </p>
        ) : null}
      </div>
    </main>
  );
}
