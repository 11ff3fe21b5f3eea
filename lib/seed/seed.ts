import bcrypt from "bcryptjs";
import { SYSTEM_ACTOR, recordAudit } from "@/lib/audit/record";
import type { Db } from "@/lib/db";
import type { Role, Strategy } from "@/lib/generated/prisma/enums";
import { DEFAULT_FOLLOW_UPS } from "@/lib/follow-ups/due";

export const DEFAULT_CHECKLIST = [
  "Smoke tests passing in staging",
  "Load tests meeting targets",
  "Soak test completed",
  "Security scans passed",
  "Database migration tested with production-like volume",
  "Backup taken",
  "Disaster-recovery procedure tested",
  "Rollback procedure verified",
  "Monitoring and alerts configured",
  "Incident response plan ready",
];

const ENVIRONMENTS = [
  { name: "staging", displayName: "Staging", position: 0, requiresApproval: false },
  { name: "production", displayName: "Production", position: 1, requiresApproval: true },
];

export const DEMO_PASSWORD = "greenlight";

export const DEMO_ACCOUNTS: { email: string; name: string; roles: Role[] }[] = [
  { email: "cto@greenlight.local", name: "Casey Ortiz", roles: ["CTO"] },
  { email: "eng.lead@greenlight.local", name: "Erin Lee", roles: ["ENGINEERING_LEAD"] },
  { email: "devops.lead@greenlight.local", name: "Dev Patel", roles: ["DEVOPS_LEAD"] },
  { email: "security.lead@greenlight.local", name: "Sam Reyes", roles: ["SECURITY_LEAD"] },
  { email: "product.lead@greenlight.local", name: "Priya Nair", roles: ["PRODUCT_LEAD"] },
  { email: "support.head@greenlight.local", name: "Hana Suzuki", roles: ["HEAD_OF_SUPPORT"] },
  { email: "release.manager@greenlight.local", name: "Riley Morgan", roles: ["RELEASE_MANAGER"] },
  { email: "oncall@greenlight.local", name: "Omar Haddad", roles: ["ON_CALL"] },
  { email: "viewer@greenlight.local", name: "Vera Lind", roles: ["VIEWER"] },
  { email: "admin@greenlight.local", name: "Ada Admin", roles: ["ADMIN"] },
  // A change that weakens the gate needs a second admin to confirm it (lib/gate-changes).
  { email: "second.admin@greenlight.local", name: "Ben Admin", roles: ["ADMIN"] },
];

const DEMO_SERVICES: {
  name: string;
  displayName: string;
  description: string;
  ownerTeam: string;
  strategy: Strategy;
  image: string;
}[] = [
  {
    name: "checkout",
    displayName: "Checkout",
    description: "Cart, payment hand-off and order confirmation.",
    ownerTeam: "Payments",
    strategy: "BLUE_GREEN",
    image: "registry.greenlight.local/shop/checkout:1.4.2",
  },
  {
    name: "catalog",
    displayName: "Catalog",
    description: "Product listings, prices and stock.",
    ownerTeam: "Storefront",
    strategy: "ROLLING",
    image: "registry.greenlight.local/shop/catalog:2.9.0",
  },
  {
    name: "search",
    displayName: "Search",
    description: "Product search and suggestions.",
    ownerTeam: "Storefront",
    strategy: "CANARY",
    image: "registry.greenlight.local/shop/search:0.18.1",
  },
];

const SEED_KEY = "seed";
const SEED_VERSION = 1;

export interface SeedResult {
  baseline: boolean;
  demo: boolean;
  followUps: boolean;
  smokeChecks: boolean;
}

export const DEMO_SMOKE_CHECK = {
  name: "health",
  method: "GET",
  path: "/healthz",
  expectedStatus: 200,
  jsonField: "status",
  jsonEquals: "ok",
  timeoutMs: 3000,
} as const;

/**
 * Seeds what every installation needs (environments and their default checklist) and, in demo
 * mode, the demo services and accounts. Runs once: a marker in system_settings records it, and
 * an advisory lock keeps two replicas starting together from seeding twice.
 */
export async function seed(db: Db, options: { demo: boolean }): Promise<SeedResult> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`select pg_advisory_xact_lock(hashtext('greenlight:seed'))`;
      const marker = await tx.systemSetting.findUnique({ where: { key: SEED_KEY } });
      const done = (marker?.value ?? {}) as { baseline?: number; demo?: number; followUps?: number; smoke?: number };
      const result: SeedResult = { baseline: false, demo: false, followUps: false, smokeChecks: false };

      if (!done.baseline) {
        for (const e of ENVIRONMENTS) {
          const environment = await tx.environment.upsert({ where: { name: e.name }, create: e, update: {} });
          const items = await tx.checklistTemplateItem.count({ where: { environmentId: environment.id } });
          if (items === 0 && e.requiresApproval) {
            await tx.checklistTemplateItem.createMany({
              data: DEFAULT_CHECKLIST.map((label, position) => ({ environmentId: environment.id, label, position })),
            });
          }
        }
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "seed.baseline",
          targetType: "installation",
          targetId: "greenlight",
          after: { environments: ENVIRONMENTS.map((e) => e.name) },
        });
        result.baseline = true;
      }

      // The post-deployment checklist came later: installations seeded before it get the defaults
      // once too, on the environments that require sign-offs; what admins change afterwards stays.
      if (!done.followUps) {
        for (const environment of await tx.environment.findMany({ where: { requiresApproval: true } })) {
          const items = await tx.followUpTemplateItem.count({ where: { environmentId: environment.id } });
          if (items === 0)
            await tx.followUpTemplateItem.createMany({
              data: DEFAULT_FOLLOW_UPS.map((item, position) => ({ environmentId: environment.id, ...item, position })),
            });
        }
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "seed.follow_ups",
          targetType: "installation",
          targetId: "greenlight",
          after: { followUps: DEFAULT_FOLLOW_UPS.map((f) => f.label) },
        });
        result.followUps = true;
      }

      if (options.demo && !done.demo) {
        const passwordHash = await bcrypt.hash(DEMO_PASSWORD, 10);
        for (const account of DEMO_ACCOUNTS) {
          await tx.user.upsert({
            where: { email: account.email },
            create: {
              email: account.email,
              name: account.name,
              passwordHash,
              roles: { create: account.roles.map((role) => ({ role })) },
            },
            update: {},
          });
        }
        const environments = await tx.environment.findMany();
        for (const s of DEMO_SERVICES) {
          const service = await tx.service.upsert({
            where: { name: s.name },
            create: { name: s.name, displayName: s.displayName, description: s.description, ownerTeam: s.ownerTeam },
            update: {},
          });
          for (const environment of environments) {
            await tx.serviceTarget.upsert({
              where: { serviceId_environmentId: { serviceId: service.id, environmentId: environment.id } },
              create: {
                serviceId: service.id,
                environmentId: environment.id,
                cluster: "sandbox",
                namespace: `shop-${environment.name}`,
                deploymentName: s.name,
                kubeServiceName: s.name,
                defaultStrategy: s.strategy,
                // The sandbox's demo pods label their series with app and namespace.
                metricsSelector: `app="${s.name}",namespace="shop-${environment.name}"`,
              },
              update: {},
            });
          }
        }
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "seed.demo",
          targetType: "installation",
          targetId: "greenlight",
          after: { accounts: DEMO_ACCOUNTS.map((a) => a.email), services: DEMO_SERVICES.map((s) => s.name) },
        });
        result.demo = true;
      }

      // The demo's staging targets check /healthz before traffic moves: the sandbox's pods answer
      // {"status":"ok"}, and {"status":"degraded"} for a `bad` image, so a staging deploy of a bad
      // version is stopped by its smoke check. Production keeps the SLI story: a bad version there
      // gets traffic and is rolled back on its error rate (and the Alertmanager alert it causes).
      if (options.demo && !done.smoke) {
        const staging = await tx.serviceTarget.findMany({
          where: { environment: { name: "staging" }, service: { name: { in: DEMO_SERVICES.map((d) => d.name) } } },
          include: { smokeChecks: true },
        });
        for (const target of staging.filter((t) => t.smokeChecks.length === 0))
          await tx.smokeCheck.create({ data: { targetId: target.id, ...DEMO_SMOKE_CHECK, position: 0 } });
        result.smokeChecks = true;
      }

      if (result.baseline || result.demo || result.followUps || result.smokeChecks) {
        const value = {
          baseline: done.baseline ?? SEED_VERSION,
          demo: options.demo ? SEED_VERSION : done.demo,
          followUps: SEED_VERSION,
          smoke: options.demo ? SEED_VERSION : done.smoke,
        };
        await tx.systemSetting.upsert({
          where: { key: SEED_KEY },
          create: { key: SEED_KEY, value },
          update: { value },
        });
      }
      return result;
    },
    { timeout: 30_000 },
  );
}

export { DEMO_SERVICES };
