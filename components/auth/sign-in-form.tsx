"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { safeCallbackPath } from "@/lib/safe-redirect";

interface Props {
  accounts: { email: string; label: string }[];
  oidc: { id: string; name: string } | null;
  callbackUrl: string;
}

export function SignInForm({ accounts, oidc, callbackUrl }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState(accounts[0]?.email ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (pending) return;
    startTransition(async () => {
      const result = await signIn("demo", { email, password, redirect: false });
      if (!result || result.error) {
        setError("That password is not right for this account.");
        return;
      }
      router.replace(safeCallbackPath(callbackUrl, window.location.origin));
      router.refresh();
    });
  }

  return (
    <div className="space-y-6">
      {oidc ? (
        <Button className="w-full" size="lg" onClick={() => signIn(oidc.id, { callbackUrl })}>
          Continue with {oidc.name}
        </Button>
      ) : null}
      {accounts.length > 0 ? (
        <form onSubmit={submit} className="space-y-4 rounded-lg border border-border bg-card p-5" aria-label="Demo sign-in">
          <p className="text-sm text-muted-foreground">Demo accounts, one per role. The password was printed when Greenlight started.</p>
          <Field id="account" label="Account">
            <Select id="account" name="email" value={email} onChange={(e) => setEmail(e.target.value)}>
              {accounts.map((a) => (
                <option key={a.email} value={a.email}>
                  {a.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="password" label="Password" errors={error ? [error] : undefined}>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "password-error" : undefined}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? "Signing in…" : "Sign in"}
          </Button>
        </form>
      ) : null}
    </div>
  );
}
