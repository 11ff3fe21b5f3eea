"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useFocusFirstInvalid } from "@/components/use-action";
import { invalidInput } from "@/lib/actions/field-errors";
import { passwordSignInError } from "@/lib/auth/sign-in-messages";
import { safeCallbackPath } from "@/lib/safe-redirect";
import { signInSchema } from "@/lib/schemas/auth";

interface Props {
  accounts: { email: string; label: string }[];
  oidc: { id: string; name: string } | null;
  callbackUrl: string;
}

export function SignInForm({ accounts, oidc, callbackUrl }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState(accounts[0]?.email ?? "");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]> | null>(null);
  const [pending, startTransition] = useTransition();
  const formId = useId();
  useFocusFirstInvalid(formId, errors);

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (pending) return;
    const checked = signInSchema.safeParse({ email, password });
    if (!checked.success) {
      setErrors(invalidInput(checked.error).fieldErrors);
      return;
    }
    startTransition(async () => {
      const result = await signIn("demo", { email, password, redirect: false });
      if (!result || result.error) {
        setErrors({ password: [passwordSignInError(result?.error)] });
        return;
      }
      router.replace(safeCallbackPath(callbackUrl, window.location.origin));
      // next-auth signs in with its own fetch, not a server action, so nothing revalidates: the
      // layouts this router holds were rendered signed out and must be fetched again.
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
        <form
          id={formId}
          onSubmit={submit}
          noValidate
          className="space-y-4 rounded-lg border border-border bg-card p-5"
          aria-label="Demo sign-in"
        >
          <p className="text-sm text-muted-foreground">
            Demo accounts, one per role. The password was printed when Greenlight started.
          </p>
          <Field id="account" label="Account" errors={errors?.email}>
            <Select
              {...describedBy("account", errors?.email, { hint: false })}
              name="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            >
              {accounts.map((a) => (
                <option key={a.email} value={a.email}>
                  {a.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="password" label="Password" errors={errors?.password}>
            <Input
              {...describedBy("password", errors?.password, { hint: false })}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
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
