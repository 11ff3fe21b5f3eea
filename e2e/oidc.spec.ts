import { expect, test, type Page } from "@playwright/test";
import { signIn, signInWithOidc } from "./helpers";
import { runTag, testAccounts } from "./oidc/accounts";

// Sign-in through a real OpenID provider (e2e/oidc/provider.ts, started by playwright.config.ts):
// the redirect, the provider's login form, the code exchange and the app's provisioning rules.
const people = testAccounts(runTag());

async function expectSignedOut(page: Page) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("heading", { name: "Sign in to Greenlight" })).toBeVisible();
}

test("a newcomer's first sign-in waits for a role until an admin gives one", async ({ page, browser }) => {
  const newcomer = people.newcomer;

  await test.step("first sign-in: a person without a role", async () => {
    await signInWithOidc(page, newcomer.username);
    await expect(page).toHaveURL(/\/no-access$/);
    await expect(page.getByRole("heading", { name: "You have no role in Greenlight yet" })).toBeVisible();
    await expect(page.getByText(`You are signed in as ${newcomer.email}`)).toBeVisible();
    // Nothing behind the dashboard opens without a role.
    await page.goto("/releases");
    await expect(page).toHaveURL(/\/no-access$/);
  });

  await test.step("the demo admin finds them on the people page and makes them a viewer", async () => {
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, "admin@greenlight.local");
    await admin.goto("/admin");
    const row = admin.getByTestId(`person-${newcomer.email}`);
    await expect(row.getByText(newcomer.name)).toBeVisible();
    await expect(row.getByText("No role")).toBeVisible();
    await row.getByLabel(`Role to give ${newcomer.name}`).selectOption({ label: "Viewer" });
    await row.getByRole("button", { name: "Add role" }).click();
    await expect(row.getByText("No role")).toHaveCount(0);
    await expect(row.getByText("Viewer", { exact: true })).toBeVisible();
    await adminContext.close();
  });

  await test.step("the newcomer reloads and sees the dashboard", async () => {
    await page.reload();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByTestId("current-user")).toHaveText(newcomer.name);
    await expect(page.getByTestId("current-roles")).toHaveText("Viewer");
    // A viewer, not an admin.
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Admin", exact: true })).toHaveCount(0);
  });
});

test("an email listed in ADMIN_EMAILS is an admin from its first sign-in", async ({ page }) => {
  const boss = people.boss;
  await signInWithOidc(page, boss.username);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("current-roles")).toHaveText("Admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Admin", exact: true })).toBeVisible();
  await expect(page.getByTestId(`person-${boss.email}`).getByText("Admin", { exact: true })).toBeVisible();
});

test("an email the provider has not verified does not open the account that has it", async ({ page, browser }) => {
  // The demo admin's address, which this provider says it has not verified.
  await signInWithOidc(page, people.impostor.username);
  await expect(page).toHaveURL(/\/sign-in\?error=EmailUnverified/);
  // (Next's route announcer is an alert too.)
  await expect(
    page.getByRole("alert").filter({ hasText: "Verify your email address with your identity provider first." }),
  ).toBeVisible();
  await expectSignedOut(page);

  // The same address from a provider that does not say whether it verified it.
  const second = await browser.newContext();
  const other = await second.newPage();
  await signInWithOidc(other, people.unvouched.username);
  await expect(other).toHaveURL(/\/sign-in\?error=AccessDenied/);
  await expect(other.getByRole("alert").filter({ hasText: "has not verified your email address" })).toBeVisible();
  await expectSignedOut(other);
  await second.close();

  // Ada's account is still hers alone: one person with that address, no stranger made.
  await signIn(page, "admin@greenlight.local");
  await expect(page.getByTestId("current-user")).toHaveText("Ada Admin");
  await page.goto("/admin");
  await expect(page.getByTestId("person-admin@greenlight.local")).toHaveCount(1);
  await expect(page.getByTestId("person-admin@greenlight.local").getByText("Ada Admin")).toBeVisible();
  await expect(page.getByText(people.impostor.name, { exact: true })).toHaveCount(0);
  await expect(page.getByText(people.unvouched.name, { exact: true })).toHaveCount(0);
});

test("signing out ends the session", async ({ page }) => {
  await signInWithOidc(page, people.boss.username);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.getByRole("button", { name: `Account: ${people.boss.name}` }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await expectSignedOut(page);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/sign-in/);
  // The session cookie is gone, not just hidden: the app's session endpoint knows nobody.
  const session = await page.request.get("/api/auth/session");
  expect(await session.json()).toEqual({});
});
