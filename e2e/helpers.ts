import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "greenlight";

export async function signIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Account").selectOption(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}

export function uniqueTag() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}
