import "server-only";
import { db } from "@/lib/db";

export const AUDIT_PAGE_SIZE = 50;

/** One page of the audit log, newest first, and how many pages there are. */
export async function auditLogPage(page: number) {
  const [total, entries] = await Promise.all([
    db.auditLog.count(),
    db.auditLog.findMany({ orderBy: { id: "desc" }, skip: (page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
  ]);
  return { entries, pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}

export type AuditLogPage = Awaited<ReturnType<typeof auditLogPage>>;
