import type { Metadata } from "next";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { EnvironmentSettings } from "@/components/admin/environment-settings";
import { FollowUpTemplate } from "@/components/admin/follow-up-template";
import { GateChanges } from "@/components/admin/gate-changes";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/require-user";
import { gateChangesFor } from "@/lib/gate-changes/queries";
import { prometheus } from "@/lib/prometheus/client";
import { listEnvironmentSettings } from "@/lib/settings/queries";

export const metadata: Metadata = { title: "Environments" };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export default async function EnvironmentsPage() {
  const user = await requirePermission("settings:manage");
  const [environments, gateChanges] = await Promise.all([
    listEnvironmentSettings(),
    gateChangesFor({ kinds: ["ENVIRONMENT_SETTINGS", "CHECKLIST_ITEM_REMOVE", "FREEZE_REMOVE"] }, user),
  ]);
  return (
    <>
      <PageHeader
        title="Admin"
        description="Sign-off policy, the error-budget gate, checklists, follow-ups after a deploy and freeze windows per environment. Every change is audited."
      />
      <AdminTabs current="environments" />
      <div className="space-y-6">
        <GateChanges view={gateChanges} />
        {environments.map((e) => (
          <Card key={e.id} data-testid={`settings-${e.name}`}>
            <CardHeader>
              <CardTitle>{e.displayName}</CardTitle>
            </CardHeader>
            <CardBody className="space-y-6">
              <EnvironmentSettings
                environment={{
                  id: e.id,
                  name: e.name,
                  displayName: e.displayName,
                  requiresApproval: e.requiresApproval,
                  authorMaySign: e.authorMaySign,
                  approvalTtlHours: e.approvalTtlHours,
                  errorBudgetGate: e.errorBudgetGate,
                  checklist: e.checklistTemplate.map((i) => ({
                    id: i.id,
                    label: i.label,
                    required: i.required,
                    evidenceRequired: i.evidenceRequired,
                  })),
                  freezes: e.freezeWindows.map((f) => ({
                    id: f.id,
                    summary:
                      f.recurrence === "NONE"
                        ? `${f.reason}: ${utc(f.startsAt)} → ${f.endsAt ? utc(f.endsAt) : "?"}`
                        : `${f.reason}: ${f.recurrence === "DAILY" ? "daily" : f.weekdays.map((d) => DAYS[d]).join(", ")} ${f.localStartTime} for ${f.durationMinutes} min (${f.timeZone})`,
                  })),
                }}
                prometheusConfigured={prometheus() !== null}
              />
              <FollowUpTemplate
                template={{
                  environmentId: e.id,
                  environmentName: e.name,
                  timeZone: e.followUpTimeZone,
                  items: e.followUpTemplate.map((i) => ({ id: i.id, label: i.label, due: i.due })),
                }}
              />
            </CardBody>
          </Card>
        ))}
      </div>
    </>
  );
}
