import fs from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

test("a deploy and a rollback appear in the log with their steps, filter by kind in the URL, and export as CSV", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const tag = uniqueTag();

  // Catalog in staging (rolling), so this walk does not meet the checkout specs' colours. Its
  // verification window is turned off: a latency blip on a busy machine must not roll it back first.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@greenlight.local");
  await admin.goto("/admin/services");
  const settings = admin.getByRole("form", { name: "Catalog · Staging SLI and analysis settings" });
  const verifyWindow = settings.getByLabel("Verification window (seconds)");
  // A reused data folder (a second local run) already has it off: saving nothing says so instead.
  if ((await verifyWindow.inputValue()) !== "0") {
    await verifyWindow.fill("0");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(admin.getByText("Catalog · Staging saved.")).toBeVisible();
  }

  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "release.manager@greenlight.local");
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: "Catalog" });
  await manager.getByLabel("Environment").selectOption({ label: "Staging" });
  const version = `3.0.0-${tag}`;
  await manager.getByLabel("Image").fill(`registry.greenlight.local/shop/catalog:${version}`);
  await manager.getByRole("radio", { name: "Rolling" }).check();
  await manager.getByLabel("Change summary").fill("Faster price lookups for the deployment log walk.");
  await manager.getByRole("button", { name: "Create release" }).click();
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(manager.getByTestId("run-status")).toHaveText("succeeded", { timeout: 90_000 });

  const onCall = await (await browser.newContext()).newPage();
  await signIn(onCall, "oncall@greenlight.local");
  await onCall.goto("/services/catalog");
  const staging = onCall.getByTestId("environment-staging");
  await staging.getByRole("button", { name: "Roll back Catalog in Staging" }).click();
  const dialog = onCall.getByRole("dialog");
  await dialog.getByLabel("Why?").fill(`Slow search results ${tag}`);
  await dialog.getByRole("button", { name: "Roll back now" }).click();
  await expect(staging.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });

  // The log, newest first: the rollback, then the deploy it undid.
  await onCall.goto("/deployments?service=catalog&environment=staging");
  await expect(onCall.getByRole("heading", { name: "Deployment log" })).toBeVisible();
  const entries = onCall.getByTestId("log-entry");
  const rollback = entries.nth(0);
  const deploy = entries.nth(1);
  await expect(rollback).toHaveAttribute("data-kind", "rollback");
  await expect(rollback).toContainText(`Slow search results ${tag}`);
  await expect(rollback).toContainText("Omar Haddad");
  await expect(rollback).toContainText(`catalog:${version}`);
  await expect(deploy).toHaveAttribute("data-kind", "deploy");
  await expect(deploy).toContainText(`catalog:${version}`);
  await expect(deploy).toContainText("Riley Morgan");
  const rollbackRun = (await rollback.getAttribute("data-run"))!;
  const deployRun = (await deploy.getAttribute("data-run"))!;

  // Each row is the run's permalink, with every step event.
  await deploy.getByRole("link", { name: "deploy" }).click();
  await expect(onCall).toHaveURL(`/deployments/${deployRun}`);
  await expect(onCall.getByRole("heading", { name: /Deploy of Catalog to Staging/ })).toBeVisible();
  await expect(onCall.getByTestId("run-event").first()).toBeVisible();
  await expect(onCall.locator('[data-testid="run-event"][data-step="set-image"]').first()).toBeVisible();
  await expect(onCall.getByRole("link", { name: /^R-\d+/ })).toHaveAttribute("href", /\/releases\//);
  // What was sent to the cluster, folded until asked for.
  const sent = onCall.getByText("Request sent").first();
  await sent.click();
  await expect(onCall.locator("details[open] pre").first()).toBeVisible();

  await onCall.goto(`/deployments/${rollbackRun}`);
  await expect(onCall.getByRole("heading", { name: /Rollback of Catalog to Staging/ })).toBeVisible();
  await expect(onCall.getByText(`Slow search results ${tag}`)).toBeVisible();
  expect(await onCall.getByTestId("run-event").count()).toBeGreaterThan(1);

  // Filtered by kind through the URL: only rollbacks, ours among them; the form shows the filter.
  await onCall.goto("/deployments?service=catalog&kind=rollback");
  await expect(onCall.getByLabel("Kind")).toHaveValue("rollback");
  await expect(onCall.locator(`[data-testid="log-entry"][data-run="${rollbackRun}"]`)).toBeVisible();
  await expect(onCall.locator('[data-testid="log-entry"]:not([data-kind="rollback"])')).toHaveCount(0);
  // And through the form, by keyboard: choose deploy, press Enter.
  await onCall.getByLabel("Kind").selectOption("deploy");
  await onCall.getByLabel("From (UTC)").press("Enter");
  await expect(onCall).toHaveURL(/kind=deploy/);
  await expect(onCall.locator(`[data-testid="log-entry"][data-run="${deployRun}"]`)).toBeVisible();
  await expect(onCall.locator('[data-testid="log-entry"]:not([data-kind="deploy"])')).toHaveCount(0);

  // A bad value in a link is explained, not a crash.
  await onCall.goto("/deployments?kind=restart");
  await expect(onCall.getByRole("alert").filter({ hasText: "not understood" })).toContainText(
    "Kind must be one of deploy, rollback, promote, abort",
  );

  // The CSV link carries the filters and downloads those rows.
  await onCall.goto("/deployments?service=catalog&environment=staging");
  const exportLink = onCall.getByRole("link", { name: "Export CSV" });
  await expect(exportLink).toHaveAttribute("href", "/api/deployments/export?service=catalog&environment=staging");
  const [download] = await Promise.all([onCall.waitForEvent("download"), exportLink.click()]);
  expect(download.suggestedFilename()).toMatch(/^deployment-log-\d{8}T\d{6}Z\.csv$/);
  const csv = await fs.readFile((await download.path())!, "utf8");
  const lines = csv.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^entry_id,run_id,kind,requested_at,service,environment,/);
  expect(lines[1]).toContain(`${rollbackRun},${rollbackRun},rollback,`);
  expect(lines[2]).toContain(`${deployRun},${deployRun},deploy,`);
  expect(lines.slice(1).every((l) => l.includes(",catalog,staging,"))).toBe(true);

  const bad = await onCall.request.get("/api/deployments/export?outcome=nope");
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toContain("Outcome must be one of");
});
