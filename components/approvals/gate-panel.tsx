import { AlertTriangle, CheckCircle2, XCircle } from "lucide-react";
import type { Unmet } from "@/lib/approvals/policy";

/** What still stands between this release and a deploy, in plain words, and what the gate could not check. */
export function GatePanel({ unmet, warnings = [] }: { unmet: Unmet[]; warnings?: string[] }) {
  return (
    <div className="space-y-2">
      {unmet.length === 0 ? (
        <p className="flex items-center gap-2 text-sm text-success" data-testid="gate-green">
          <CheckCircle2 className="size-4" aria-hidden />{" "}
          {warnings.length > 0
            ? "The gate is green: every condition it could check is met."
            : "The gate is green: every condition is met."}
        </p>
      ) : (
        <ul className="space-y-1.5 text-sm" aria-label="Unmet conditions" data-testid="gate-unmet">
          {unmet.map((u, i) => (
            <li key={i} className="flex gap-2" data-kind={u.kind}>
              <XCircle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
              <span>{u.message}</span>
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 ? (
        <ul
          className="space-y-1.5 text-sm text-amber-700 dark:text-warning"
          aria-label="Not checked"
          data-testid="gate-warnings"
        >
          {warnings.map((w, i) => (
            <li key={i} className="flex gap-2">
              <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
              <span>{w}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
