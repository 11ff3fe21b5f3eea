"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useOptimistic, useTransition } from "react";
import { Select } from "@/components/ui/input";
import { SEVERITIES, SEVERITY_LABELS } from "@/lib/schemas/incidents";

/** Status and severity live in the URL, so a filtered list can be shared and survives a reload. */
export function IncidentFilters() {
  const router = useRouter();
  const params = useSearchParams();
  const [values, setValues] = useOptimistic({
    status: params.get("status") ?? "open",
    severity: params.get("severity") ?? "",
  });
  const [, startTransition] = useTransition();

  function set(key: keyof typeof values, value: string) {
    const nextValues = { ...values, [key]: value };
    // "open" is the default: the plain URL shows it.
    const next = new URLSearchParams(
      Object.entries(nextValues).filter(([k, v]) => v && !(k === "status" && v === "open")),
    );
    startTransition(() => {
      setValues(nextValues);
      router.push(`/incidents${next.size ? `?${next}` : ""}`);
    });
  }

  return (
    <div className="flex flex-wrap gap-3 border-b border-border px-4 py-3" role="group" aria-label="Filter incidents">
      <label className="flex items-center gap-2 text-sm">
        <span className="text-muted-foreground">Status</span>
        <Select
          className="w-36"
          value={values.status}
          onChange={(e) => set("status", e.target.value)}
          aria-label="Filter by status"
        >
          <option value="open">Open</option>
          <option value="resolved">Resolved</option>
          <option value="all">All</option>
        </Select>
      </label>
      <label className="flex items-center gap-2 text-sm">
        <span className="text-muted-foreground">Severity</span>
        <Select
          className="w-48"
          value={values.severity}
          onChange={(e) => set("severity", e.target.value)}
          aria-label="Filter by severity"
        >
          <option value="">All</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABELS[s]}
            </option>
          ))}
        </Select>
      </label>
    </div>
  );
}
