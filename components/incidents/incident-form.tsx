"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { openIncidentAction } from "@/lib/actions/incidents/open-incident";
import { openIncidentSchema, SEVERITIES, SEVERITY_LABELS } from "@/lib/schemas/incidents";

export interface IncidentFormOptions {
  services: { id: string; displayName: string; environments: { id: string; displayName: string }[] }[];
  releases: { id: string; number: number; imageRef: string; serviceId: string; environmentId: string }[];
}

/** Declaring an incident: what is wrong, how bad, where, and (when known) which release. */
export function IncidentForm({ services, releases }: IncidentFormOptions) {
  const router = useRouter();
  const [title, setTitle] = useState("");
  const [severity, setSeverity] = useState<(typeof SEVERITIES)[number]>("P2");
  const [summary, setSummary] = useState("");
  const [serviceId, setServiceId] = useState("");
  const [environmentId, setEnvironmentId] = useState("");
  const [releaseId, setReleaseId] = useState("");
  const [linkLastDeploy, setLinkLastDeploy] = useState(false);
  const open = useAction(openIncidentAction, { schema: openIncidentSchema });
  const { fieldErrors } = open;

  const environments = services.find((s) => s.id === serviceId)?.environments ?? [];
  const releaseOptions = releases.filter(
    (r) => r.serviceId === serviceId && (!environmentId || r.environmentId === environmentId),
  );

  function submit(event: React.FormEvent) {
    event.preventDefault();
    open.execute(
      { title, severity, summary, serviceId, environmentId, releaseId, linkLastDeploy },
      {
        success: (d) => `INC-${d.number} declared.`,
        onSuccess: (d) => router.push(`/incidents/${d.id}`),
      },
    );
  }

  return (
    <form id={open.formId} onSubmit={submit} className="space-y-5" noValidate aria-label="Declare incident">
      <Field
        id="title"
        label="Title"
        errors={fieldErrors.title}
        hint="What users notice, e.g. “Checkout payments fail”."
      >
        <Input
          {...describedBy("title", fieldErrors.title)}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          autoComplete="off"
          required
        />
      </Field>

      <fieldset>
        <legend className="mb-1.5 text-sm font-medium">Severity</legend>
        <div className="flex flex-wrap gap-2" role="radiogroup" aria-label="Severity">
          {SEVERITIES.map((s) => (
            <label
              key={s}
              className="flex cursor-pointer items-center gap-2 rounded-md border border-border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-accent"
            >
              <input
                type="radio"
                name="severity"
                value={s}
                checked={severity === s}
                onChange={() => setSeverity(s)}
                className="accent-[var(--primary)]"
              />
              {SEVERITY_LABELS[s]}
            </label>
          ))}
        </div>
        {fieldErrors.severity ? (
          <p className="mt-1 text-xs text-destructive" role="alert">
            {fieldErrors.severity.join(" ")}
          </p>
        ) : null}
      </fieldset>

      <div className="grid gap-5 sm:grid-cols-3">
        <Field id="serviceId" label="Service (optional)" errors={fieldErrors.serviceId}>
          <Select
            {...describedBy("serviceId", fieldErrors.serviceId, { hint: false })}
            value={serviceId}
            onChange={(e) => {
              setServiceId(e.target.value);
              setEnvironmentId("");
              setReleaseId("");
            }}
          >
            <option value="">Not known yet</option>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.displayName}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="environmentId" label="Environment (optional)" errors={fieldErrors.environmentId}>
          <Select
            {...describedBy("environmentId", fieldErrors.environmentId, { hint: false })}
            value={environmentId}
            onChange={(e) => {
              setEnvironmentId(e.target.value);
              setReleaseId("");
            }}
            disabled={!serviceId}
          >
            <option value="">{serviceId ? "All environments" : "Choose a service first"}</option>
            {environments.map((e) => (
              <option key={e.id} value={e.id}>
                {e.displayName}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="releaseId" label="Release (optional)" errors={fieldErrors.releaseId}>
          <Select
            {...describedBy("releaseId", fieldErrors.releaseId, { hint: false })}
            value={releaseId}
            onChange={(e) => setReleaseId(e.target.value)}
            disabled={releaseOptions.length === 0}
          >
            <option value="">{releaseOptions.length ? "None" : "No recent release here"}</option>
            {releaseOptions.map((r) => (
              <option key={r.id} value={r.id}>
                R-{r.number} {r.imageRef.split("/").at(-1)}
              </option>
            ))}
          </Select>
        </Field>
      </div>

      <div className="space-y-1">
        <label className="flex items-center gap-2 text-sm">
          <input
            id="linkLastDeploy"
            type="checkbox"
            checked={linkLastDeploy}
            onChange={(e) => setLinkLastDeploy(e.target.checked)}
            disabled={!serviceId || !environmentId}
            aria-invalid={fieldErrors.linkLastDeploy ? true : undefined}
            aria-describedby="linkLastDeploy-hint"
          />
          Link the last deploy as the suspected cause
        </label>
        <p id="linkLastDeploy-hint" className="text-xs text-muted-foreground">
          The newest deploy of this service to this environment that finished in the last hour.
        </p>
        {fieldErrors.linkLastDeploy ? (
          <p className="text-xs text-destructive" role="alert">
            {fieldErrors.linkLastDeploy.join(" ")}
          </p>
        ) : null}
      </div>

      <Field id="summary" label="Summary (optional)" errors={fieldErrors.summary} hint="What is known so far.">
        <Textarea
          {...describedBy("summary", fieldErrors.summary)}
          value={summary}
          onChange={(e) => setSummary(e.target.value)}
        />
      </Field>

      <div className="flex justify-end gap-2">
        <Button type="button" variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="submit" disabled={open.pending}>
          {open.pending ? "Declaring…" : "Declare incident"}
        </Button>
      </div>
    </form>
  );
}
