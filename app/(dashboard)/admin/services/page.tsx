import type { Metadata } from "next";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { ServiceTargetSettings } from "@/components/admin/service-target-settings";
import { SmokeChecks } from "@/components/admin/smoke-checks";
import { describeCheck } from "@/lib/deploy/smoke/checks";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/require-user";
import { prometheus } from "@/lib/prometheus/client";
import { FORM_DEFAULTS, toFormValues } from "@/lib/schemas/service-targets";
import { listServiceTargetSettings } from "@/lib/settings/queries";

export const metadata: Metadata = { title: "Services" };

export default async function ServiceSettingsPage() {
  await requirePermission("settings:manage");
  const targets = await listServiceTargetSettings();
  return (
    <>
      <PageHeader
        title="Admin"
        description="Where each service's metrics come from, the rules a canary or a fresh deploy is judged by, its smoke checks, and what happens on a breach. Every change is audited."
      />
      <AdminTabs current="services" />
      {prometheus() === null ? (
        <p className="mb-4 rounded-md border border-border bg-muted px-4 py-3 text-sm" role="status">
          Prometheus is not configured (PROMETHEUS_URL): these settings are saved, but nothing is measured or judged
          until it is.
        </p>
      ) : null}
      {targets.length === 0 ? (
        <Card>
          <EmptyState title="No services yet">
            A service appears here once it has a target in an environment.
          </EmptyState>
        </Card>
      ) : (
        <div className="space-y-6">
          {targets.map((t) => {
            const title = `${t.service.displayName} · ${t.environment.displayName}`;
            return (
              <Card key={t.id} data-testid={`service-target-${t.service.name}-${t.environment.name}`}>
                <CardHeader>
                  <div>
                    <CardTitle>{title}</CardTitle>
                    <p className="mt-0.5 text-xs text-muted-foreground">
                      {t.cluster} / {t.namespace} / {t.deploymentName}
                    </p>
                  </div>
                </CardHeader>
                <CardBody>
                  {/* Keyed by the last save, so the form starts again from what was stored (blanks filled with defaults, steps tidied). */}
                  <ServiceTargetSettings
                    key={t.updatedAt.getTime()}
                    target={{
                      id: t.id,
                      slug: `${t.service.name}-${t.environment.name}`,
                      title,
                      values: toFormValues(t),
                    }}
                    defaults={FORM_DEFAULTS}
                  />
                  <SmokeChecks
                    targetId={t.id}
                    slug={`${t.service.name}-${t.environment.name}`}
                    checks={t.smokeChecks.map((c) => ({
                      id: c.id,
                      name: c.name,
                      describe: describeCheck(c),
                      header:
                        c.headerName && c.headerSecretEnv ? `${c.headerName} from ${c.headerSecretEnv}` : undefined,
                    }))}
                  />
                </CardBody>
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
