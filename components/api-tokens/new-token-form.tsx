"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { createApiTokenAction } from "@/lib/actions/api-tokens/tokens";
import { API_SCOPES, CI_PIPELINE_SCOPES, type ApiScope } from "@/lib/api-tokens/scopes";
import { createApiTokenSchema } from "@/lib/schemas/api-tokens";

interface Props {
  scopes: ApiScope[];
  environments: { id: string; displayName: string }[];
  canMakeServiceTokens: boolean;
}

interface Made {
  name: string;
  secret: string;
  expiresAt: string;
}

function initial(scopes: ApiScope[]) {
  return {
    name: "",
    kind: "PERSONAL" as "PERSONAL" | "SERVICE",
    scopes: CI_PIPELINE_SCOPES.filter((s) => scopes.includes(s)),
    environmentIds: [] as string[],
    expiresInDays: "90",
  };
}

function toggle<T>(list: T[], item: T, on: boolean): T[] {
  return on ? [...list, item] : list.filter((x) => x !== item);
}

/**
 * Makes an API token. The secret comes back once, in the action's answer, and is shown here until
 * the person dismisses it; Greenlight keeps only its hash, so it cannot be shown again.
 */
export function NewTokenForm({ scopes, environments, canMakeServiceTokens }: Props) {
  const create = useAction(createApiTokenAction, { schema: createApiTokenSchema });
  const [form, setForm] = useState(() => initial(scopes));
  const [made, setMade] = useState<Made | null>(null);
  const [copied, setCopied] = useState(false);
  const errors = create.fieldErrors;

  if (made)
    return (
      <div className="space-y-3" data-testid="new-token-secret">
        <p className="text-sm font-medium" role="status">
          Token “{made.name}” made. Copy it now: Greenlight keeps only a hash of it and cannot show it again.
        </p>
        <div className="flex gap-2">
          <Input
            readOnly
            aria-label="The new token's secret"
            className="font-mono text-sm"
            value={made.secret}
            onFocus={(e) => e.currentTarget.select()}
            data-testid="token-secret"
          />
          <Button
            type="button"
            variant="secondary"
            onClick={() =>
              void navigator.clipboard
                ?.writeText(made.secret)
                .then(() => setCopied(true))
                .catch(() => setCopied(false))
            }
          >
            {copied ? <Check aria-hidden /> : <Copy aria-hidden />}
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
        <p className="text-xs text-muted-foreground">
          It expires {made.expiresAt.slice(0, 10)}. Use it as <code>Authorization: Bearer …</code>, or as{" "}
          <code>GREENLIGHT_TOKEN</code> for <code>npx greenlight</code>; keep it in your CI system&apos;s secrets.
        </p>
        <Button
          type="button"
          onClick={() => {
            setMade(null);
            setCopied(false);
          }}
        >
          Done, I have stored it
        </Button>
      </div>
    );

  return (
    <form
      id={create.formId}
      noValidate
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.execute(
          { ...form, expiresInDays: Number(form.expiresInDays) },
          {
            onSuccess: (data) => {
              setMade({ name: data.name, secret: data.secret, expiresAt: data.expiresAt });
              setForm(initial(scopes));
            },
          },
        );
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id="token-name"
          label="Name"
          hint="Where it is used, e.g. “shop-api GitHub Actions”."
          errors={errors.name}
        >
          <Input
            {...describedBy("token-name", errors.name)}
            value={form.name}
            maxLength={80}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </Field>
        <Field
          id="token-expiry"
          label="Expires after (days)"
          hint="1 to 365. Make a new one before it runs out."
          errors={errors.expiresInDays}
        >
          <Input
            {...describedBy("token-expiry", errors.expiresInDays)}
            type="number"
            min={1}
            max={365}
            value={form.expiresInDays}
            onChange={(e) => setForm({ ...form, expiresInDays: e.target.value })}
          />
        </Field>
      </div>

      {canMakeServiceTokens ? (
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium">Kind</legend>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="token-kind"
              checked={form.kind === "PERSONAL"}
              onChange={() => setForm({ ...form, kind: "PERSONAL" })}
            />
            Personal: for your own scripts
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="token-kind"
              checked={form.kind === "SERVICE"}
              onChange={() => setForm({ ...form, kind: "SERVICE" })}
            />
            Service: for a pipeline (acts with your roles; listed for every admin)
          </label>
        </fieldset>
      ) : null}

      <fieldset className="space-y-1" aria-describedby={errors.scopes ? "token-scopes-error" : undefined}>
        <legend className="text-sm font-medium">What it may do</legend>
        {scopes.length === 0 ? (
          <p className="text-sm text-muted-foreground">Your roles allow nothing the API offers.</p>
        ) : (
          scopes.map((scope) => (
            <label key={scope} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-1"
                aria-invalid={errors.scopes ? true : undefined}
                checked={form.scopes.includes(scope)}
                onChange={(e) => setForm({ ...form, scopes: toggle(form.scopes, scope, e.target.checked) })}
              />
              <span>
                <span className="font-mono text-xs">{scope}</span>{" "}
                <span className="text-muted-foreground">{API_SCOPES[scope]}</span>
              </span>
            </label>
          ))
        )}
        {errors.scopes ? (
          <p id="token-scopes-error" role="alert" className="text-xs text-destructive">
            {errors.scopes.join(" ")}
          </p>
        ) : (
          <p className="text-xs text-muted-foreground">
            Only what your roles allow is offered, and a token loses a permission as soon as you lose the role.
          </p>
        )}
      </fieldset>

      <fieldset className="space-y-1" aria-describedby="token-environments-hint">
        <legend className="text-sm font-medium">Environments</legend>
        <div className="flex flex-wrap gap-4">
          {environments.map((environment) => (
            <label key={environment.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={form.environmentIds.includes(environment.id)}
                onChange={(e) =>
                  setForm({ ...form, environmentIds: toggle(form.environmentIds, environment.id, e.target.checked) })
                }
              />
              {environment.displayName}
            </label>
          ))}
        </div>
        {errors.environmentIds ? (
          <p role="alert" className="text-xs text-destructive">
            {errors.environmentIds.join(" ")}
          </p>
        ) : (
          <p id="token-environments-hint" className="text-xs text-muted-foreground">
            None ticked: every environment. Ticked: only those.
          </p>
        )}
      </fieldset>

      <Button type="submit" disabled={create.pending || scopes.length === 0}>
        {create.pending ? "Making token…" : "Make token"}
      </Button>
    </form>
  );
}
