"use client";

import { useState, type HTMLAttributes, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { updateServiceTargetAction } from "@/lib/actions/settings/service-targets";
import {
  serviceTargetSettingsSchema,
  type FormDefaults,
  type ServiceTargetFormValues,
} from "@/lib/schemas/service-targets";

export interface ServiceTargetView {
  id: string;
  /** `checkout-production`: unique on the page, for element ids. */
  slug: string;
  title: string;
  values: ServiceTargetFormValues;
}

type TextField = Exclude<keyof ServiceTargetFormValues, "autoRollback">;

function windowHint(typed: string): string {
  const seconds = Number(typed);
  if (typed.trim() === "" || !Number.isInteger(seconds) || seconds < 0) return "0 turns verification off.";
  if (seconds === 0) return "Off: rolling and blue-green deploys are not watched afterwards.";
  const span =
    seconds < 120 ? `${seconds} s` : seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
  return `Watches ${span} after a rolling or blue-green deploy; 0 turns it off.`;
}

export function ServiceTargetSettings({ target, defaults }: { target: ServiceTargetView; defaults: FormDefaults }) {
  const update = useAction(updateServiceTargetAction, { schema: serviceTargetSettingsSchema });
  const [values, setValues] = useState(target.values);
  const errors = update.fieldErrors;
  const fieldId = (name: string) => `${target.slug}-${name}`;

  // A render helper, not a component: a component declared here would remount on every keystroke.
  const input = (
    name: TextField,
    label: string,
    options: {
      hint?: ReactNode;
      placeholder?: string;
      inputMode?: HTMLAttributes<HTMLInputElement>["inputMode"];
      className?: string;
    } = {},
  ) => (
    <Field id={fieldId(name)} label={label} hint={options.hint} errors={errors[name]} className={options.className}>
      <Input
        {...describedBy(fieldId(name), errors[name], { hint: Boolean(options.hint) })}
        name={name}
        value={values[name]}
        onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
        placeholder={options.placeholder}
        inputMode={options.inputMode}
        autoComplete="off"
        spellCheck={false}
      />
    </Field>
  );
  const formError = update.error && Object.keys(errors).length === 0 ? update.error.message : null;

  return (
    <form
      id={update.formId}
      className="space-y-4"
      aria-label={`${target.title} SLI and analysis settings`}
      onSubmit={(e) => {
        e.preventDefault();
        update.execute(
          { targetId: target.id, ...values },
          {
            success: ({ changed }) =>
              changed === 0 ? "Nothing to save: no setting changed." : `${target.title} saved.`,
          },
        );
      }}
    >
      <div className="grid gap-6 lg:grid-cols-3">
        <fieldset className="space-y-3">
          <legend className="mb-2 font-medium">Metrics</legend>
          {input("metricsSelector", "Label selector", {
            placeholder: 'none, e.g. app="checkout",namespace="shop-production"',
            hint: "Label matchers that pick this service's series. Empty: no charts, and analysis can never pass.",
          })}
          {input("requestsMetric", "Requests counter", {
            placeholder: defaults.requestsMetric,
            hint: "Empty: the default name.",
          })}
          {input("durationMetric", "Duration histogram", {
            placeholder: defaults.durationMetric,
            hint: "A histogram in seconds, by its base name (_bucket is added).",
          })}
          <div className="grid grid-cols-3 gap-2">
            {input("statusLabel", "Status label", { placeholder: defaults.statusLabel })}
            {input("cpuMetric", "CPU metric", { placeholder: defaults.cpuMetric, className: "col-span-2" })}
          </div>
          {input("memoryMetric", "Memory metric", { placeholder: defaults.memoryMetric })}
        </fieldset>

        <fieldset className="space-y-3">
          <legend className="mb-2 font-medium">Analysis rules</legend>
          <p className="text-xs text-muted-foreground">
            A canary step or verification check fails when a value goes above its limit. Empty: the SLI table&apos;s
            critical line.
          </p>
          {input("maxErrorRatePercent", "Max error rate (% of requests, 5xx)", {
            inputMode: "decimal",
            placeholder: `${defaults.maxErrorRatePercent} (default)`,
          })}
          <div className="grid grid-cols-2 gap-2">
            {input("maxLatencyP95Ms", "Max P95 (ms)", {
              inputMode: "decimal",
              placeholder: `${defaults.maxLatencyP95Ms} (default)`,
            })}
            {input("maxLatencyP99Ms", "Max P99 (ms)", {
              inputMode: "decimal",
              placeholder: `${defaults.maxLatencyP99Ms} (default)`,
            })}
          </div>
          {input("minRequests", "Minimum requests per check", {
            inputMode: "numeric",
            placeholder: `${defaults.minRequests} (default)`,
            hint: "Fewer requests than this are too little traffic to judge: the check stays inconclusive.",
          })}
        </fieldset>

        <fieldset className="space-y-3">
          <legend className="mb-2 font-medium">Rollout</legend>
          {input("verifyWindowSeconds", "Verification window (seconds)", {
            inputMode: "numeric",
            hint: windowHint(values.verifyWindowSeconds),
          })}
          <div className="space-y-1">
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="autoRollback"
                checked={values.autoRollback}
                onChange={(e) => setValues((v) => ({ ...v, autoRollback: e.target.checked }))}
                aria-invalid={errors.autoRollback ? true : undefined}
                aria-describedby={errors.autoRollback ? fieldId("autoRollback-error") : fieldId("autoRollback-hint")}
              />
              Roll back automatically on a breach
            </label>
            <p id={fieldId("autoRollback-hint")} className="text-xs text-muted-foreground">
              During the verification window the rules above are checked again and again. A breach rolls back by itself
              (blue-green: traffic switches back; rolling: the previous version is restored) and opens an incident.
              Turned off, a breach is only reported on the run. Canary steps always roll back on a failure.
            </p>
            {errors.autoRollback ? (
              <p id={fieldId("autoRollback-error")} role="alert" className="text-xs text-destructive">
                {errors.autoRollback.join(" ")}
              </p>
            ) : null}
          </div>
          <div className="grid grid-cols-3 gap-2">
            {input("canarySteps", "Canary steps (% of traffic)", {
              inputMode: "numeric",
              placeholder: "5, 25, 50, 100",
              hint: "Rising, ending with 100.",
              className: "col-span-2",
            })}
            {input("canaryPauseSeconds", "Pause per step (s)", { inputMode: "numeric" })}
          </div>
        </fieldset>
      </div>

      <div className="flex items-center gap-3">
        <Button size="sm" type="submit" disabled={update.pending}>
          {update.pending ? "Saving…" : "Save settings"}
        </Button>
        {formError ? (
          <p role="alert" className="text-sm text-destructive">
            {formError}
          </p>
        ) : null}
      </div>
    </form>
  );
}
