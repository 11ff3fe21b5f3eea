import { expect, type Page } from "@playwright/test";
import { OIDC_DISPLAY_NAME } from "./oidc/accounts";

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

/**
 * Signs in through the e2e suite's OpenID provider (e2e/oidc/provider.ts) as one of its test
 * accounts, and waits until the browser is back at the app.
 */
export async function signInWithOidc(page: Page, username: string) {
  await page.goto("/sign-in");
  const app = new URL(page.url()).origin;
  await page.getByRole("button", { name: `Continue with ${OIDC_DISPLAY_NAME}` }).click();
  await expect(page.getByRole("heading", { name: "Test provider" })).toBeVisible();
  await page.getByLabel("Username").fill(username);
  await page.getByRole("button", { name: "Log in to the test provider" }).click();
  await page.waitForURL((url) => url.origin === app && !url.pathname.startsWith("/api/auth"));
}
