"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { HISTORY_RANGES, historyHref, type HistoryRange } from "@/lib/schemas/history";

interface Props {
  range: HistoryRange | null;
  from: string;
  to: string;
  service: string;
  environment: string;
  services: { name: string; displayName: string }[];
  environments: { name: string; displayName: string }[];
}

const RANGE_LABELS: Record<HistoryRange, string> = {
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
};

/** Period, service and environment, all in the URL so a view can be shared and survives a reload. */
export function HistoryFilters(props: Props) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [period, setPeriod] = useState<string>(props.range ?? "custom");
  const [from, setFrom] = useState(props.from);
  const [to, setTo] = useState(props.to);
  const [error, setError] = useState<string | null>(null);

  function go(next: Partial<{ range: HistoryRange; from: string; to: string; service: string; environment: string }>) {
    const settings = {
      range: props.range,
      from: props.range ? undefined : props.from,
      to: props.range ? undefined : props.to,
      service: props.service,
      environment: props.environment,
      ...next,
    };
    startTransition(() => router.push(historyHref("/history", settings)));
  }

  function choosePeriod(value: string) {
    setPeriod(value);
    setError(null);
    if (value !== "custom") go({ range: value as HistoryRange, from: undefined, to: undefined });
  }

  function applyDates(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!from || !to) return setError("Give both From and To.");
    if (from > to) return setError("To must not be before From.");
    setError(null);
    go({ range: undefined, from, to });
  }

  return (
    <div
      className="flex flex-wrap items-end gap-3 border-b border-border px-4 py-3"
      role="group"
      aria-label="Period and filters"
      aria-busy={pending}
    >
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-muted-foreground">Period</span>
        <Select className="w-40" value={period} onChange={(e) => choosePeriod(e.target.value)} aria-label="Period">
          {HISTORY_RANGES.map((r) => (
            <option key={r} value={r}>
              {RANGE_LABELS[r]}
            </option>
          ))}
          <option value="custom">Dates…</option>
        </Select>
      </label>
      {period === "custom" ? (
        <form className="flex flex-wrap items-end gap-2" onSubmit={applyDates} aria-label="Custom period">
          <label className="flex flex-col gap-1 text-sm">
            <span className="text-muted-foreground">From (UTC)</span>
            <Input
              type="date"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "history-period-error" : undefined}
            />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            <span className="text-muted-foreground">To (UTC, included)</span>
            <Input
              type="date"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "history-period-error" : undefined}
            />
          </label>
          <Button type="submit" variant="secondary" size="sm">
            Apply dates
          </Button>
          {error ? (
            <p id="history-period-error" role="alert" className="w-full text-sm text-destructive">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-muted-foreground">Service</span>
        <Select
          className="w-40"
          value={props.service}
          onChange={(e) => go({ service: e.target.value || undefined })}
          aria-label="Filter by service"
        >
          <option value="">All</option>
          {props.services.map((s) => (
            <option key={s.name} value={s.name}>
              {s.displayName}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-muted-foreground">Environment</span>
        <Select
          className="w-40"
          value={props.environment}
          onChange={(e) => go({ environment: e.target.value || undefined })}
          aria-label="Filter by environment"
        >
          <option value="">All (metrics: production)</option>
          {props.environments.map((e) => (
            <option key={e.name} value={e.name}>
              {e.displayName}
            </option>
          ))}
        </Select>
      </label>
    </div>
  );
}
