import { Badge } from "@/components/ui/badge";
import type { RunOutcome } from "@/lib/deploy/log";
import { humanize } from "@/lib/format/humanize";

const TONE = {
  QUEUED: "neutral",
  RUNNING: "info",
  PAUSED: "warning",
  SUCCEEDED: "success",
  FAILED: "danger",
  ABORTED: "warning",
  ROLLED_BACK: "danger",
} as const;

export function RunStatusBadge({ status }: { status: RunOutcome }) {
  return (
    <Badge tone={TONE[status]} data-status={status}>
      {humanize(status)}
    </Badge>
  );
}
