import { Badge } from "@/components/ui/badge";
import { humanize } from "@/lib/format/humanize";
import type { IncidentStatus, Severity } from "@/lib/generated/prisma/enums";

const SEVERITY_TONE = { P1: "danger", P2: "warning", P3: "info", P4: "neutral" } as const;
const STATUS_TONE = {
  INVESTIGATING: "danger",
  IDENTIFIED: "warning",
  MONITORING: "info",
  RESOLVED: "success",
} as const;

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge tone={SEVERITY_TONE[severity]} aria-label={`Severity ${severity}`}>
      {severity}
    </Badge>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return <Badge tone={STATUS_TONE[status]}>{humanize(status)}</Badge>;
}
