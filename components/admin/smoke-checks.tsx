"use client";

import { Trash2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { addSmokeCheckAction, removeSmokeCheckAction } from "@/lib/actions/settings/smoke-checks";
import { smokeCheckSchema } from "@/lib/schemas/smoke-checks";

export interface SmokeCheckView {
  id: string;
  name: string;
  /** "GET /healthz → 200, status = ok" */
  describe: string;
  /** "X-Smoke-Token from SMOKE_TOKEN": the variable's name, never its value. */
  header?: string;
}

const EMPTY = {
  name: "",
  method: "GET" as "GET" | "HEAD" | "POST",
  path: "/healthz",
  expectedStatus: "200",
  bodyContains: "",
  jsonField: "",
  jsonEquals: "",
  timeoutMs: "5000",
  headerName: "",
  headerSecretEnv: "",
};

/**
 * A target's smoke checks: run on the new version's pods through the API server's proxy before
 * traffic moves, and again after. A header's secret value is never entered here: only the name of
 * the worker's environment variable that holds it.
 */
export function SmokeChecks({ targetId, slug, checks }: { targetId: string; slug: string; checks: SmokeCheckView[] }) {
  const add = useAction(addSmokeCheckAction, { schema: smokeCheckSchema });
  const remove = useAction(removeSmokeCheckAction);
  const [form, setForm] = useState(EMPTY);
  const id = (name: string) => `${slug}-smoke-${name}`;
  const errors = add.fieldErrors;
  const text = (name: keyof typeof EMPTY, label: string, placeholder?: string) => (
    <label className="block space-y-1 text-xs">
      <span>{label}</span>
      <Input
        {...describedBy(id(name), errors[name], { hint: false })}
        className="h-8 text-sm"
        placeholder={placeholder}
        value={form[name]}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
      {errors[name] ? (
        <span id={`${id(name)}-error`} role="alert" className="block text-destructive">
          {errors[name].join(" ")}
        </span>
      ) : null}
    </label>
  );

  return (
    <div className="mt-6 space-y-3 border-t pt-4" data-testid={`smoke-checks-${slug}`}>
      <h3 className="font-medium">Smoke checks</h3>
      <p className="text-sm text-muted-foreground">
        Sent to the new version&apos;s pods through the Kubernetes API server before any traffic reaches them, and again
        after the switch. A failure before stops the deploy with traffic where it was; after, it counts as a breach of
        the verification window.
      </p>
      {checks.length === 0 ? (
        <p className="text-sm text-muted-foreground">No smoke checks: deploys here are judged on their SLIs only.</p>
      ) : (
        <ul className="space-y-1 text-sm">
          {checks.map((c) => (
            <li key={c.id} className="flex items-center justify-between gap-2">
              <span>
                <span className="font-medium">{c.name}</span>: <span className="font-mono text-xs">{c.describe}</span>
                {c.header ? <span className="text-muted-foreground"> · header {c.header}</span> : null}
              </span>
              <Button
                size="icon"
                variant="ghost"
                aria-label={`Remove smoke check ${c.name}`}
                disabled={remove.pending}
                onClick={() => remove.execute({ checkId: c.id }, { success: "Smoke check removed." })}
              >
                <Trash2 />
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form
        id={add.formId}
        className="grid gap-2 sm:grid-cols-3"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          add.execute(
            {
              targetId,
              ...form,
              expectedStatus: form.expectedStatus,
              timeoutMs: form.timeoutMs,
            },
            { success: "Smoke check added; the next deploy runs it.", onSuccess: () => setForm(EMPTY) },
          );
        }}
      >
        {text("name", "Name", "health")}
        <label className="block space-y-1 text-xs">
          <span>Method</span>
          <Select
            className="h-8 text-sm"
            value={form.method}
            onChange={(e) => setForm({ ...form, method: e.target.value as typeof form.method })}
          >
            <option>GET</option>
            <option>HEAD</option>
            <option>POST</option>
          </Select>
        </label>
        {text("path", "Path on the pod", "/healthz")}
        {text("expectedStatus", "Expected status", "200")}
        {text("bodyContains", "Body contains (optional)")}
        {text("timeoutMs", "Timeout (ms)", "5000")}
        {text("jsonField", "JSON field (optional)", "status")}
        {text("jsonEquals", "…must equal", "ok")}
        <span />
        {text("headerName", "Secret header (optional)", "X-Smoke-Token")}
        {text("headerSecretEnv", "…its value from the worker's variable", "SMOKE_TOKEN")}
        <div className="flex items-end">
          <Button size="sm" variant="secondary" type="submit" disabled={add.pending}>
            Add smoke check
          </Button>
        </div>
      </form>
    </div>
  );
}
