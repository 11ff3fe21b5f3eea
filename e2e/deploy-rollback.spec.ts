import path from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { expect, test } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

// The sandbox cluster `npm start` runs for this suite (see playwright.config.ts).
const dataDir = process.env.E2E_DATA_DIR ?? ".data/e2e";
function kubernetes() {
  const kc = new KubeConfig();
  kc.loadFromFile(path.join(dataDir, "sandbox", "kubeconfig"));
  return kc.makeApiClient(CoreV1Api);
}
async function liveColor() {
  // Staging: production deploys wait for six sign-offs (e2e/release-gate.spec.ts covers those).
  const service = await kubernetes().readNamespacedService({ namespace: "shop-staging", name: "checkout" });
  return service.spec?.selector?.color;
}

test("deploy a blue-green release, watch it finish, roll back, and the Service selector is back", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const before = await liveColor();
  expect(["blue", "green"]).toContain(before);
  const after = before === "blue" ? "green" : "blue";

  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "release.manager@greenlight.local");
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: "Checkout" });
  await manager.getByLabel("Environment").selectOption({ label: "Staging" });
  const image = `registry.greenlight.local/shop/checkout:1.5.0-${uniqueTag()}`;
  await manager.getByLabel("Image").fill(image);
  await manager.getByRole("radio", { name: "Blue-green" }).check();
  await manager.getByLabel("Change summary").fill("Apple Pay, behind the apple-pay flag.");
  await manager.getByRole("button", { name: "Create release" }).click();
  await expect(manager.getByTestId("release-image")).toHaveText(image);

  await manager.getByRole("button", { name: "Dry run" }).click();
  await expect(manager.getByTestId("dry-run-plan")).toContainText("switch-traffic");
  expect(await liveColor()).toBe(before);

  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  const progress = manager.getByTestId("run-progress");
  await expect(progress).toBeVisible();
  await expect(progress.getByText("prepare-idle-color")).toBeVisible();
  await expect(manager.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(manager.getByTestId("traffic-switched")).toBeVisible();
  expect(await liveColor()).toBe(after);
  // Prometheus is running, so the new version is watched in its verification window.
  await expect(manager.getByTestId("run-verification")).toHaveAttribute("data-verification", "VERIFYING");
  await expect(manager.getByTestId("run-verification")).toContainText("a breach rolls back automatically");
  // The release page arrives with the run already in it (react-query seeded by the server).
  const releaseHtml = await (await manager.request.get(manager.url())).text();
  expect(releaseHtml).toContain('data-testid="run-progress"');
  expect(releaseHtml).not.toContain("Loading the run");

  const onCall = await (await browser.newContext()).newPage();
  await signIn(onCall, "oncall@greenlight.local");
  await onCall.goto("/services/checkout");
  const staging = onCall.getByTestId("environment-staging");
  await expect(staging.getByTestId("live-color")).toHaveText(after);
  await expect(staging.getByTestId("live-image")).toHaveText(image);
  await expect(staging.getByTestId("rollback-readiness")).toContainText("ready: switch the Service to");
  await staging.getByRole("button", { name: "Roll back Checkout in Staging" }).click();
  const dialog = onCall.getByRole("dialog");
  await expect(dialog.getByRole("button", { name: "Roll back now" })).toBeDisabled();
  await dialog.getByLabel("Why?").fill("5xx spike after the Apple Pay release");
  await dialog.getByRole("button", { name: "Roll back now" }).click();
  await expect(staging.getByTestId("run-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(staging.getByTestId("traffic-switched")).toContainText("Traffic switched");

  // Checked through the Kubernetes API, not the page.
  expect(await liveColor()).toBe(before);

  // Live SLIs from the real Prometheus `npm start` runs, with markers for the deploy and rollback.
  // Right after a fresh start Prometheus may still be gathering its first samples; the panel
  // refreshes every 15 s by itself.
  await onCall.reload();
  const slis = onCall.getByTestId("slis-staging");
  await expect(slis.getByTestId("panel-requests").locator("path.recharts-curve").first()).toBeVisible({
    timeout: 75_000,
  });
  await expect(slis.getByTestId("sli-markers")).toContainText("deploy 1.5.0");
  await expect(slis.getByTestId("sli-markers")).toContainText("rollback");
  await expect(slis.getByTestId("sli-markers")).toContainText("traffic switched");
  // The person's rollback ended the deploy's verification window: the release page says so.
  await expect(manager.getByTestId("run-verification")).toHaveAttribute("data-verification", "SUPERSEDED", {
    timeout: 45_000,
  });
  await expect(manager.getByTestId("run-verification")).toContainText("a rollback by");
});

test("a viewer sees the service's live state but no rollback button", async ({ page }) => {
  await signIn(page, "viewer@greenlight.local");
  await page.goto("/services/checkout");
  await expect(page.getByTestId("environment-production").getByTestId("live-color")).toBeVisible();
  await expect(page.getByRole("button", { name: /Roll back/ })).toHaveCount(0);
  // The SLI charts arrive with the page's first answer, not after a spinner.
  const html = await (await page.request.get("/services/checkout")).text();
  expect(html).toContain('data-testid="slis-production"');
  expect(html).not.toContain("Loading metrics");
});
