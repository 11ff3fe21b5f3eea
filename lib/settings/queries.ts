import "server-only";
import { db } from "@/lib/db";

/** Every environment with its checklist and follow-up templates and freeze windows, for the settings page. */
export function listEnvironmentSettings() {
  return db.environment.findMany({
    orderBy: { position: "asc" },
    include: {
      checklistTemplate: { orderBy: { position: "asc" } },
      followUpTemplate: { orderBy: { position: "asc" } },
      freezeWindows: { orderBy: { startsAt: "asc" } },
    },
  });
}

export type EnvironmentSettings = Awaited<ReturnType<typeof listEnvironmentSettings>>[number];

/** Every target with its service and environment, for the admin page. */
export function listServiceTargetSettings() {
  return db.serviceTarget.findMany({
    include: {
      service: { select: { name: true, displayName: true } },
      environment: { select: { name: true, displayName: true } },
      smokeChecks: { orderBy: { position: "asc" } },
    },
    orderBy: [{ service: { displayName: "asc" } }, { environment: { position: "asc" } }],
  });
}

export type ServiceTargetSettingsRow = Awaited<ReturnType<typeof listServiceTargetSettings>>[number];
