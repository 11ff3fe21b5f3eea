import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, signIn } from "./helpers";

// Until React has hydrated a page its buttons have no click handlers and its forms no client-side
// submit. Such a form submitted then (a quick Enter on a slow connection) went out natively: a GET
// of the page with every named field in the address, the sign-in password included. Buttons are
// disabled until the page is ready; a browser without JavaScript shows what the server sends.
test("before the page is ready its buttons are disabled and a form cannot post itself natively", async ({
  browser,
}) => {
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const signInPage = await noScript.newPage();
  await signInPage.goto("/sign-in");
  await expect(signInPage.getByRole("button", { name: "Sign in" })).toBeDisabled();
  await signInPage.getByLabel("Password").fill(DEMO_PASSWORD);
  await signInPage.getByLabel("Password").press("Enter");
  // Give a native submission time to navigate, then check that none happened.
  await signInPage.waitForTimeout(1_000);
  expect(new URL(signInPage.url()).search).toBe("");
  await noScript.close();

  // A signed-in page as the server sends it (streamed, so still hidden without script): its
  // buttons are there, disabled.
  const live = await browser.newContext();
  const admin = await live.newPage();
  await signIn(admin, "admin@greenlight.local");
  await admin.goto("/admin/environments");
  const save = admin.getByTestId("settings-staging").getByRole("button", { name: "Save policy" });
  await expect(save).toBeEnabled();

  const served = await browser.newContext({ javaScriptEnabled: false, storageState: await live.storageState() });
  const asServed = await served.newPage();
  await asServed.goto("/admin/environments");
  const savedAsServed = asServed.getByTestId("settings-staging").locator("button", { hasText: "Save policy" });
  await expect(savedAsServed).toHaveAttribute("disabled", "");
  // A plain GET search is the browser's own form: it works without script, and stays enabled.
  await asServed.goto("/services?q=checkout");
  await expect(asServed.locator("button", { hasText: "Search" })).not.toHaveAttribute("disabled");
  await served.close();
  await live.close();
});
