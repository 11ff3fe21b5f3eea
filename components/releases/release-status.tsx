import { Badge } from "@/components/ui/badge";
import type { ReleaseStatus } from "@/lib/generated/prisma/enums";

const TONES: Record<ReleaseStatus, "neutral" | "info" | "success" | "warning" | "danger"> = {
  PENDING: "warning",
  APPROVED: "info",
  DEPLOYING: "info",
  DEPLOYED: "success",
  FAILED: "danger",
  ROLLED_BACK: "danger",
  CANCELLED: "neutral",
};

export const STATUS_LABELS: Record<ReleaseStatus, string> = {
  PENDING: "Pending",
  APPROVED: "Approved",
  DEPLOYING: "Deploying",
  DEPLOYED: "Deployed",
  FAILED: "Failed",
  ROLLED_BACK: "Rolled back",
  CANCELLED: "Cancelled",
};

export function ReleaseStatusBadge({ status }: { status: ReleaseStatus }) {
  return <Badge tone={TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}
