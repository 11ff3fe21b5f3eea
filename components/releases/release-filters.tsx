"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { useOptimistic, useTransition } from "react";
import { Select } from "@/components/ui/input";
import { STATUS_LABELS } from "@/components/releases/release-status";
import { RELEASE_STATUSES } from "@/lib/schemas/release";

interface Props {
  services: { name: string; displayName: string }[];
  environments: { name: string; displayName: string }[];
}

/** Filters live in the URL, so a filtered list can be shared and survives a reload. */
export function ReleaseFilters({ services, environments }: Props) {
  const router = useRouter();
  const params = useSearchParams();
  // Shown at once, so two quick changes both count even before the first navigation lands; the
  // URL takes over again when the navigations are done.
  const [values, setValues] = useOptimistic({
    service: params.get("service") ?? "",
    environment: params.get("environment") ?? "",
    status: params.get("status") ?? "",
  });
  const [, startTransition] = useTransition();

  function set(key: keyof typeof values, value: string) {
    const nextValues = { ...values, [key]: value };
    const next = new URLSearchParams(Object.entries(nextValues).filter(([, v]) => v));
    startTransition(() => {
      setValues(nextValues);
      router.push(`/releases${next.size ? `?${next}` : ""}`);
    });
  }

  const filters = [
    {
      key: "service" as const,
      label: "Service",
      options: services.map((s) => ({ value: s.name, label: s.displayName })),
    },
    {
      key: "environment" as const,
      label: "Environment",
      options: environments.map((e) => ({ value: e.name, label: e.displayName })),
    },
    {
      key: "status" as const,
      label: "Status",
      options: RELEASE_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
    },
  ];

  return (
    <div className="flex flex-wrap gap-3 border-b border-border px-4 py-3" role="group" aria-label="Filter releases">
      {filters.map((f) => (
        <label key={f.key} className="flex items-center gap-2 text-sm">
          <span className="text-muted-foreground">{f.label}</span>
          <Select
            className="w-40"
            value={values[f.key]}
            onChange={(e) => set(f.key, e.target.value)}
            aria-label={`Filter by ${f.label.toLowerCase()}`}
          >
            <option value="">All</option>
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </Select>
        </label>
      ))}
    </div>
  );
}
