import type { RunStatus } from "@/lib/generated/prisma/enums";

/**
 * A deploy or rollback in these holds its target: PostgreSQL's partial unique index allows one
 * (keep in step with the index in the migrations and the lease SQL in engine/lease.ts).
 * No server imports, so client components can use it too.
 */
export const ACTIVE_RUN_STATUSES = ["QUEUED", "RUNNING", "PAUSED"] as const satisfies readonly RunStatus[];

export type ActiveRunStatus = (typeof ACTIVE_RUN_STATUSES)[number];

export function isActiveRunStatus(status: string): status is ActiveRunStatus {
  return (ACTIVE_RUN_STATUSES as readonly string[]).includes(status);
}
