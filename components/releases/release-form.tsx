"use client";

import { Plus, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { createReleaseAction } from "@/lib/actions/releases/create-release";
import { updateReleaseAction } from "@/lib/actions/releases/update-release";
import {
  createReleaseSchema,
  STRATEGIES,
  STRATEGY_LABELS,
  updateReleaseSchema,
  type StrategyName,
} from "@/lib/schemas/release";

export interface ServiceOption {
  id: string;
  displayName: string;
  environments: { id: string; displayName: string; defaultStrategy: StrategyName }[];
}

interface Link {
  label: string;
  url: string;
}

const isFilled = (link: Link) => Boolean(link.label || link.url);

type Props =
  | { mode: "create"; services: ServiceOption[] }
  | {
      mode: "edit";
      release: {
        id: string;
        revision: number;
        imageRef: string;
        strategy: StrategyName;
        changeSummary: string;
        links: Link[];
        service: string;
        environment: string;
      };
    };

export function ReleaseForm(props: Props) {
  const router = useRouter();
  const editing = props.mode === "edit" ? props.release : null;
  const services = props.mode === "create" ? props.services : [];
  const [serviceId, setServiceId] = useState(services[0]?.id ?? "");
  const environments = services.find((s) => s.id === serviceId)?.environments ?? [];
  const [environmentId, setEnvironmentId] = useState(environments[0]?.id ?? "");
  const [imageRef, setImageRef] = useState(editing?.imageRef ?? "");
  const [strategy, setStrategy] = useState<StrategyName>(
    editing?.strategy ?? environments[0]?.defaultStrategy ?? "ROLLING",
  );
  const [changeSummary, setChangeSummary] = useState(editing?.changeSummary ?? "");
  const [links, setLinks] = useState<Link[]>(editing?.links ?? []);
  const create = useAction(createReleaseAction, { schema: createReleaseSchema });
  const update = useAction(updateReleaseAction, { schema: updateReleaseSchema });
  const { pending, fieldErrors, formId } = editing ? update : create;

  function pickService(id: string) {
    setServiceId(id);
    const first = services.find((s) => s.id === id)?.environments[0];
    setEnvironmentId(first?.id ?? "");
    if (first) setStrategy(first.defaultStrategy);
  }

  function pickEnvironment(id: string) {
    setEnvironmentId(id);
    const environment = environments.find((e) => e.id === id);
    if (environment) setStrategy(environment.defaultStrategy);
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const fields = { imageRef, strategy, changeSummary, links: links.filter(isFilled) };
    if (editing) {
      update.execute(
        { releaseId: editing.id, expectedRevision: editing.revision, ...fields },
        {
          success: (d) => `Saved as revision ${d.revision}: earlier sign-offs no longer count.`,
          onSuccess: (d) => router.push(`/releases/${d.id}`),
        },
      );
    } else {
      create.execute(
        { serviceId, environmentId, ...fields },
        { success: (d) => `Release R-${d.number} created.`, onSuccess: (d) => router.push(`/releases/${d.id}`) },
      );
    }
  }

  const linkError = Object.entries(fieldErrors).find(([k]) => k.startsWith("links"))?.[1];
  // Empty rows are not sent, so an error's path counts only the filled rows.
  const linkInvalid = (index: number, part: keyof Link) => {
    if (!isFilled(links[index])) return undefined;
    const sent = links.slice(0, index).filter(isFilled).length;
    return fieldErrors[`links.${sent}.${part}`] ? true : undefined;
  };

  return (
    <form
      id={formId}
      onSubmit={submit}
      className="space-y-5"
      noValidate
      aria-label={editing ? "Edit release" : "New release"}
    >
      {editing ? (
        <p className="text-sm text-muted-foreground">
          {editing.service} → {editing.environment}, revision {editing.revision}. Saving a change creates revision{" "}
          {editing.revision + 1}: sign-offs bind to what was signed, so earlier ones stop counting.
        </p>
      ) : (
        <div className="grid gap-5 sm:grid-cols-2">
          <Field id="serviceId" label="Service" errors={fieldErrors.serviceId}>
            <Select
              {...describedBy("serviceId", fieldErrors.serviceId, { hint: false })}
              value={serviceId}
              onChange={(e) => pickService(e.target.value)}
              required
            >
              {services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.displayName}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="environmentId" label="Environment" errors={fieldErrors.environmentId}>
            <Select
              {...describedBy("environmentId", fieldErrors.environmentId, { hint: false })}
              value={environmentId}
              onChange={(e) => pickEnvironment(e.target.value)}
              required
            >
              {environments.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.displayName}
                </option>
              ))}
            </Select>
          </Field>
        </div>
      )}

      <Field
        id="imageRef"
        label="Image"
        errors={fieldErrors.imageRef}
        hint="Registry, repository and a tag or digest, e.g. ghcr.io/acme/checkout:1.4.3 or …@sha256:…"
      >
        <Input
          {...describedBy("imageRef", fieldErrors.imageRef)}
          value={imageRef}
          onChange={(e) => setImageRef(e.target.value)}
          placeholder="registry.example.com/team/service:1.2.3"
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          required
        />
      </Field>

      <fieldset>
        <legend className="mb-1.5 text-sm font-medium">Strategy</legend>
        <div className="flex flex-wrap gap-2" role="radiogroup">
          {STRATEGIES.map((s) => (
            <label
              key={s}
              className="flex cursor-pointer items-center gap-2 rounded-md border border-border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-accent"
            >
              <input
                type="radio"
                name="strategy"
                value={s}
                checked={strategy === s}
                onChange={() => setStrategy(s)}
                className="accent-[var(--primary)]"
              />
              {STRATEGY_LABELS[s]}
            </label>
          ))}
        </div>
        {fieldErrors.strategy ? (
          <p className="mt-1 text-xs text-destructive" role="alert">
            {fieldErrors.strategy.join(" ")}
          </p>
        ) : null}
      </fieldset>

      <Field
        id="changeSummary"
        label="Change summary"
        errors={fieldErrors.changeSummary}
        hint="What changes for users and operators. Plain text, up to 5000 characters."
      >
        <Textarea
          {...describedBy("changeSummary", fieldErrors.changeSummary)}
          value={changeSummary}
          onChange={(e) => setChangeSummary(e.target.value)}
          rows={5}
          maxLength={5000}
          required
        />
      </Field>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Links (optional)</legend>
        <p className="text-xs text-muted-foreground">Pull request, ticket, changelog, dashboards.</p>
        {links.map((link, index) => (
          <div key={index} className="flex gap-2">
            <Input
              aria-label={`Link ${index + 1} label`}
              aria-invalid={linkInvalid(index, "label")}
              aria-describedby={linkError ? "links-error" : undefined}
              placeholder="Label"
              value={link.label}
              className="w-40"
              onChange={(e) => setLinks(links.map((l, i) => (i === index ? { ...l, label: e.target.value } : l)))}
            />
            <Input
              aria-label={`Link ${index + 1} URL`}
              aria-invalid={linkInvalid(index, "url")}
              aria-describedby={linkError ? "links-error" : undefined}
              placeholder="https://…"
              value={link.url}
              onChange={(e) => setLinks(links.map((l, i) => (i === index ? { ...l, url: e.target.value } : l)))}
            />
            <Button
              type="button"
              variant="ghost"
              size="icon"
              aria-label={`Remove link ${index + 1}`}
              onClick={() => setLinks(links.filter((_, i) => i !== index))}
            >
              <Trash2 />
            </Button>
          </div>
        ))}
        {linkError ? (
          <p id="links-error" className="text-xs text-destructive" role="alert">
            {linkError.join(" ")}
          </p>
        ) : null}
        {links.length < 10 ? (
          <Button
            type="button"
            variant="secondary"
            size="sm"
            onClick={() => setLinks([...links, { label: "", url: "" }])}
          >
            <Plus /> Add link
          </Button>
        ) : null}
      </fieldset>

      <div className="flex gap-3 border-t border-border pt-5">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : editing ? "Save changes" : "Create release"}
        </Button>
        <Button type="button" variant="ghost" onClick={() => router.back()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
