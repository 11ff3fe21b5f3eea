import { CheckCircle2, XCircle } from "lucide-react";
import type { Unmet } from "@/lib/approvals/policy";

/** What still stands between this release and a deploy, in plain words. */
export function GatePanel({ unmet }: { unmet: Unmet[] }) {
  if (unmet.length === 0) {
    return (
      <p className="flex items-center gap-2 text-sm text-success" data-testid="gate-green">
        <CheckCircle2 className="size-4" aria-hidden /> The gate is green: every condition is met.
      </p>
    );
  }
  return (
    <ul className="space-y-1.5 text-sm" aria-label="Unmet conditions" data-testid="gate-unmet">
      {unmet.map((u, i) => (
        <li key={i} className="flex gap-2">
          <XCircle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
          <span>{u.message}</span>
        </li>
      ))}
    </ul>
  );
}
