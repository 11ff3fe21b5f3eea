import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

// The record end to end: a production deploy of a bad version, the alert the real Alertmanager
// sends about it (Prometheus' GreenlightDemoHighErrorRate rule, started by `npm start`), the
// incident it opens linked to that deploy, on-call rolling back and working the incident, and
// History's delivery metrics moving because of it.

const APPROVERS = [
  { email: "cto@greenlight.local", role: "CTO", label: "CTO / VP Engineering" },
  { email: "eng.lead@greenlight.local", role: "ENGINEERING_LEAD", label: "Engineering Lead" },
  { email: "devops.lead@greenlight.local", role: "DEVOPS_LEAD", label: "DevOps Lead" },
  { email: "security.lead@greenlight.local", role: "SECURITY_LEAD", label: "Security Lead" },
  { email: "product.lead@greenlight.local", role: "PRODUCT_LEAD", label: "Product Lead" },
  { email: "support.head@greenlight.local", role: "HEAD_OF_SUPPORT", label: "Head of Support" },
];

async function as(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** "3 of 17 production deploys failed" on the change failure rate card. */
async function checkoutFigures(page: Page) {
  await page.goto("/history?service=checkout");
  const detail = await page.getByTestId("metric-change-failure-rate").textContent();
  const match = /(\d+) of (\d+) production deploys failed/.exec(detail ?? "");
  expect(match, `change failure rate card said: ${detail}`).not.toBeNull();
  return { failures: Number(match![1]), deploys: Number(match![2]) };
}

test("a bad production deploy, the Alertmanager alert and its incident, the rollback, and History counting it", async ({
  browser,
}) => {
  test.setTimeout(420_000);
  const tag = uniqueTag();

  // No verification window on Checkout · Production: the automatic rollback would otherwise
  // catch the bad version first and open its own incident, which the alert would then join.
  const admin = await as(browser, "admin@greenlight.local");
  await admin.goto("/admin/services");
  const settings = admin.getByRole("form", { name: "Checkout · Production SLI and analysis settings" });
  const verifyWindow = settings.getByLabel("Verification window (seconds)");
  if ((await verifyWindow.inputValue()) !== "0") {
    await verifyWindow.fill("0");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(admin.getByText("Checkout · Production saved.")).toBeVisible();
  }

  const viewer = await as(browser, "viewer@greenlight.local");
  const before = await checkoutFigures(viewer);

  // A release of a version whose pods answer 20 % of requests with 5xx, signed by six people,
  // its checklist ticked, deployed by the release manager.
  const manager = await as(browser, "release.manager@greenlight.local");
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: "Checkout" });
  await manager.getByLabel("Environment").selectOption({ label: "Production" });
  const image = `registry.greenlight.local/shop/checkout:1.8.0-bad-${tag}`;
  await manager.getByLabel("Image").fill(image);
  await manager.getByRole("radio", { name: "Blue-green" }).check();
  await manager.getByLabel("Change summary").fill("Express checkout for returning shoppers.");
  await manager.getByRole("button", { name: "Create release" }).click();
  await expect(manager.getByTestId("release-image")).toHaveText(image);
  const releaseUrl = manager.url();
  for (const approver of APPROVERS) {
    const page = await as(browser, approver.email);
    await page.goto(releaseUrl);
    const row = page.getByTestId(`approval-${approver.role}`);
    await row.getByRole("button", { name: `Approve as ${approver.label}` }).click();
    await expect(row.getByTestId("approval-state")).toHaveText("approved");
    await page.context().close();
  }
  await manager.reload();
  const items = manager.getByTestId("checklist-item");
  for (let i = 0; i < (await items.count()); i++) {
    const box = items.nth(i).getByRole("checkbox");
    await box.check();
    await expect(box).toBeChecked();
  }
  await expect(manager.getByTestId("gate-green")).toBeVisible();
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(manager.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });

  // The deploy is in the log, with its steps.
  const onCall = await as(browser, "oncall@greenlight.local");
  await onCall.goto("/deployments?service=checkout&environment=production&kind=deploy");
  const deployEntry = onCall.getByTestId("log-entry").first();
  await expect(deployEntry).toContainText(`1.8.0-bad-${tag}`);
  const deployRun = (await deployEntry.getAttribute("data-run"))!;

  // Prometheus sees the 5xx, the rule fires after 30 s, Alertmanager posts it to the webhook,
  // and an incident opens for Checkout in Production.
  const incidentLink = onCall.getByRole("link", { name: /checkout in production answers/i }).first();
  await expect(async () => {
    await onCall.goto("/incidents?status=open");
    await expect(incidentLink).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 180_000, intervals: [5_000] });
  await incidentLink.click();
  await expect(onCall).toHaveURL(/\/incidents\/\w+$/);
  const incidentUrl = onCall.url();
  const heading = onCall.getByRole("heading", { level: 1 });
  await expect(heading).toContainText("investigating");
  await expect(
    onCall
      .getByTestId("timeline-entry")
      .filter({ hasText: /GreenlightDemoHighErrorRate|firing/i })
      .first(),
  ).toBeVisible();
  // Linked to the deploy that went out just before the alert, as its cause.
  const cause = onCall.locator(`a[href="/deployments/${deployRun}"]`).first();
  await expect(cause).toBeVisible();

  // On-call acknowledges and takes command, rolls back, notes it, and resolves with a summary.
  await onCall.getByRole("button", { name: "Acknowledge" }).click();
  await expect(onCall.getByTestId("acknowledge-clock")).toHaveText(/^acknowledged after .+ \(target \d+ (min|h)\)$/);
  await expect(onCall.getByTestId("commander")).toHaveText("Omar Haddad");

  await onCall.goto("/services/checkout");
  const production = onCall.getByTestId("environment-production");
  await production.getByRole("button", { name: "Roll back Checkout in Production" }).click();
  const dialog = onCall.getByRole("dialog");
  await dialog.getByLabel("Why?").fill(`5xx after 1.8.0 (${tag})`);
  await dialog.getByRole("button", { name: "Roll back now" }).click();
  await expect(production.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });

  await onCall.goto("/deployments?service=checkout&environment=production&kind=rollback");
  const rollbackEntry = onCall.getByTestId("log-entry").first();
  await expect(rollbackEntry).toContainText(`5xx after 1.8.0 (${tag})`);
  const rollbackRun = (await rollbackEntry.getAttribute("data-run"))!;
  await onCall.goto(`/deployments/${rollbackRun}`);
  expect(await onCall.getByTestId("run-event").count()).toBeGreaterThan(1);

  await onCall.goto(incidentUrl);
  // The rollback, made while the incident was open, is on its timeline by itself.
  await expect(onCall.locator(`a[href="/deployments/${rollbackRun}"]`).first()).toBeVisible();
  await onCall.getByLabel("Note", { exact: true }).fill("Rolled back to the previous colour; 5xx back to zero.");
  await onCall.getByRole("button", { name: "Add note" }).click();
  await expect(
    onCall.getByTestId("timeline-entry").filter({ hasText: "Rolled back to the previous colour" }),
  ).toBeVisible();
  await onCall.getByRole("button", { name: "Resolve", exact: true }).click();
  const resolve = onCall.getByRole("dialog", { name: "Resolve this incident?" });
  await resolve.getByLabel("Resolution summary").fill("1.8.0 answered 20 % 5xx; rolled back to the last good version.");
  await resolve.getByRole("button", { name: "Resolve incident" }).click();
  await expect(resolve).toBeHidden();
  await expect(heading).toContainText("resolved");

  // History: one more production deploy, and it counts as a failed change (rolled back within
  // 24 h, and named by the incident as its cause).
  const after = await checkoutFigures(viewer);
  expect(after).toEqual({ failures: before.failures + 1, deploys: before.deploys + 1 });
});
