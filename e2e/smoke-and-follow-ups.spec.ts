import path from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test, type Page } from "@playwright/test";
import { Client } from "pg";
import { signIn, uniqueTag } from "./helpers";

/**
 * Issue 14 in the browser, on the stack `npm start` runs: a blue-green deploy of a `bad` version
 * is stopped by its smoke check before the Service moves (checked through the Kubernetes API);
 * a good one passes its checks, and its follow-ups come due and are ticked.
 */
const dataDir = process.env.E2E_DATA_DIR ?? ".data/e2e";
const databaseUrl = `postgresql://greenlight:greenlight@127.0.0.1:${process.env.E2E_PG_PORT ?? "54339"}/greenlight`;

async function liveColor() {
  const kc = new KubeConfig();
  kc.loadFromFile(path.join(dataDir, "sandbox", "kubeconfig"));
  const service = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedService({ namespace: "shop-staging", name: "checkout" });
  return service.spec?.selector?.color;
}

async function release(page: Page, image: string) {
  await page.goto("/releases/new");
  await page.getByLabel("Service").selectOption({ label: "Checkout" });
  await page.getByLabel("Environment").selectOption({ label: "Staging" });
  await page.getByLabel("Image").fill(image);
  await page.getByRole("radio", { name: "Blue-green" }).check();
  await page.getByLabel("Change summary").fill("Order history pagination.");
  await page.getByRole("button", { name: "Create release" }).click();
  await expect(page.getByTestId("release-image")).toHaveText(image);
}

test("a bad blue-green deploy is stopped by its smoke check; a good one passes and its follow-ups are ticked", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const tag = uniqueTag();
  const followUp = `Checkout conversion compared with last week ${tag}`;

  // An admin gives Staging a follow-up, due in the first hour after each deploy.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@greenlight.local");
  await admin.goto("/admin/environments");
  const template = admin.getByTestId("follow-up-template-staging");
  await template.getByLabel("New follow-up").fill(followUp);
  await template.getByLabel("Due").selectOption({ label: "First hour" });
  await template.getByRole("button", { name: "Add follow-up" }).click();
  await expect(template.getByText(followUp)).toBeVisible();
  // The staging target's smoke check, as the demo seeds it.
  await admin.goto("/admin/services");
  await expect(admin.getByTestId("smoke-checks-checkout-staging")).toContainText("GET /healthz → 200, status = ok");

  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "release.manager@greenlight.local");
  const before = await liveColor();

  // A bad version: its pods answer /healthz with {"status":"degraded"}.
  await release(manager, `registry.greenlight.local/shop/checkout:9.1.0-bad-${tag}`);
  await manager.getByRole("button", { name: "Dry run" }).click();
  await expect(manager.getByTestId("dry-run-plan")).toContainText("would run 1 smoke check before traffic");
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(manager.getByTestId("run-status")).toHaveText("failed", { timeout: 60_000 });
  const steps = manager.getByRole("list", { name: "Steps" });
  await expect(steps).toContainText("smoke check failed before traffic");
  await expect(steps).toContainText('status = degraded, expected ok; body: {"status":"degraded"');
  await expect(manager.getByTestId("run-outcome")).toContainText("the Service never selected the new one");
  await expect(steps).not.toContainText("switch-traffic");
  // Checked through the Kubernetes API: the selector never moved.
  expect(await liveColor()).toBe(before);
  await expect(manager.getByTestId("follow-ups")).toHaveCount(0);

  // A good version passes before and after the switch, and gets its follow-ups.
  await release(manager, `registry.greenlight.local/shop/checkout:9.2.0-${tag}`);
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(manager.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(steps).toContainText("1 smoke check passed before traffic");
  await expect(steps).toContainText("1 smoke check passed after the switch on Service checkout");
  expect(await liveColor()).not.toBe(before);
  await manager.reload();
  const followUps = manager.getByTestId("follow-ups");
  const item = followUps.getByTestId("follow-up").filter({ hasText: followUp });
  await expect(item).toHaveAttribute("data-state", "open");
  await expect(item).toContainText(/due .* \(in (59|60) minutes\)/);
  const releaseUrl = manager.url();

  // An hour cannot pass in a test: the item's due time is moved back, as the clock would move.
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`update follow_up_items set due_at = now() - interval '5 minutes' where label = $1`, [followUp]);
  } finally {
    await db.end();
  }

  // On-call finds it on Waiting for me, overdue, and ticks it with evidence on the release page.
  const onCall = await (await browser.newContext()).newPage();
  await signIn(onCall, "oncall@greenlight.local");
  await onCall.goto("/waiting");
  const overdue = onCall.getByTestId("overdue-follow-ups");
  await expect(overdue).toContainText(followUp);
  await overdue.getByRole("link").filter({ hasText: "Checkout → Staging" }).first().click();
  await expect(onCall).toHaveURL(releaseUrl);
  const mine = onCall.getByTestId("follow-up").filter({ hasText: followUp });
  await expect(mine).toHaveAttribute("data-state", "overdue");
  await mine.getByLabel(`Evidence for ${followUp}`).fill("javascript:alert(1)");
  await mine.getByRole("button", { name: `Done: ${followUp}` }).click();
  await expect(mine.getByRole("alert")).toContainText("http");
  await mine.getByLabel(`Evidence for ${followUp}`).fill("https://grafana.example/d/checkout?from=now-1h");
  await mine.getByLabel(`Note for ${followUp}`).fill("flat");
  await mine.getByRole("button", { name: `Done: ${followUp}` }).click();
  await expect(mine).toHaveAttribute("data-state", "done");
  await expect(mine).toContainText("ticked by Omar Haddad");
  await expect(mine.getByRole("link", { name: "evidence" })).toHaveAttribute(
    "href",
    "https://grafana.example/d/checkout?from=now-1h",
  );
  await onCall.goto("/waiting");
  await expect(onCall.getByTestId("overdue-follow-ups")).not.toContainText(followUp);

  // The template item goes again, so other specs' staging deploys are not given it.
  await admin.goto("/admin/environments");
  await admin.getByRole("button", { name: `Remove follow-up ${followUp}` }).click();
  await expect(admin.getByTestId("follow-up-template-staging").getByText(followUp)).toHaveCount(0);
});
