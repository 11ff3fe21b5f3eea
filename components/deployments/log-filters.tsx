import Link from "next/link";
import { Button } from "@/components/ui/button";
import { buttonVariants } from "@/components/ui/button-variants";
import { Input, Select } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { AUTOMATIC, LOG_KINDS, RUN_OUTCOMES, toDatetimeLocal, type LogFilter } from "@/lib/deploy/log";
import type { DeploymentLogOptions } from "@/lib/deploy/log-queries";
import { humanize } from "@/lib/format/humanize";

/**
 * A plain GET form: the filters land in the URL (shareable, kept on reload, Back works), it works
 * without JavaScript, and Enter in any field applies it. Paging links are dropped on purpose: new
 * filters start from the newest entry.
 */
export function LogFilters({ filter, options }: { filter: LogFilter; options: DeploymentLogOptions }) {
  const selects = [
    {
      name: "service",
      label: "Service",
      value: filter.service,
      options: options.services.map((s) => ({ value: s.name, label: s.displayName })),
    },
    {
      name: "environment",
      label: "Environment",
      value: filter.environment,
      options: options.environments.map((e) => ({ value: e.name, label: e.displayName })),
    },
    { name: "kind", label: "Kind", value: filter.kind, options: LOG_KINDS.map((k) => ({ value: k, label: k })) },
    {
      name: "outcome",
      label: "Outcome",
      value: filter.outcome,
      options: RUN_OUTCOMES.map((o) => ({ value: o, label: humanize(o) })),
    },
    {
      name: "person",
      label: "Requested by",
      value: filter.person,
      options: [
        { value: AUTOMATIC, label: "Greenlight (automatic)" },
        ...options.people.map((p) => ({ value: p.id, label: p.name })),
      ],
    },
  ];
  return (
    <form
      method="get"
      action="/deployments"
      aria-label="Filter the deployment log"
      className="flex flex-wrap items-end gap-3 border-b border-border px-4 py-3"
    >
      {selects.map((s) => (
        <div key={s.name} className="space-y-1">
          <label htmlFor={`log-${s.name}`} className="block text-xs font-medium text-muted-foreground">
            {s.label}
          </label>
          <Select id={`log-${s.name}`} name={s.name} defaultValue={s.value ?? ""} className="w-40">
            <option value="">All</option>
            {s.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </Select>
        </div>
      ))}
      {(["from", "to"] as const).map((name) => (
        <div key={name} className="space-y-1">
          <label htmlFor={`log-${name}`} className="block text-xs font-medium text-muted-foreground">
            {name === "from" ? "From (UTC)" : "To (UTC, included)"}
          </label>
          <Input
            id={`log-${name}`}
            name={name}
            type="datetime-local"
            step={1}
            defaultValue={filter[name] ? toDatetimeLocal(filter[name]) : ""}
            className="w-52"
          />
        </div>
      ))}
      <div className="flex gap-2">
        <Button type="submit" size="sm" className="h-9" worksBeforeHydration>
          Apply filters
        </Button>
        <Link href="/deployments" className={cn(buttonVariants({ variant: "ghost", size: "sm" }), "h-9")}>
          Clear
        </Link>
      </div>
    </form>
  );
}
