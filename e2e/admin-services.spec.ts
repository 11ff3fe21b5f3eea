import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("an admin tunes a service's SLI settings; an injected selector is refused and nothing is saved", async ({
  page,
}) => {
  await signIn(page, "admin@greenlight.local");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Services" }).click();
  const form = page.getByRole("form", { name: "Catalog · Production SLI and analysis settings" });
  const selector = form.getByLabel("Label selector");
  await expect(selector).toHaveValue('app="catalog",namespace="shop-production"');

  await selector.fill('app="x"}) or vector(1) #');
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(form.getByRole("alert").first()).toContainText("Use label matchers only");
  await page.reload();
  await expect(form.getByLabel("Label selector")).toHaveValue('app="catalog",namespace="shop-production"');

  await form.getByLabel("Verification window (seconds)").fill("300");
  await form.getByLabel("Max P95 (ms)").fill("250");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Catalog · Production saved.")).toBeVisible();
  await page.reload();
  await expect(form.getByLabel("Verification window (seconds)")).toHaveValue("300");
  await expect(form.getByLabel("Max P95 (ms)")).toHaveValue("250");

  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("cell", { name: "service_target.update" }).first()).toBeVisible();
});
