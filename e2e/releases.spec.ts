import { expect, test, type Request } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

test("a release manager creates a release, finds it in the list and opens it", async ({ page }) => {
  const image = `registry.greenlight.local/shop/checkout:1.5.0-${uniqueTag()}`;
  await signIn(page, "release.manager@greenlight.local");
  await expect(page.getByTestId("current-roles")).toHaveText("Release manager");

  // The overview lists the seeded services with both environments.
  const checkout = page.getByRole("region", { name: "Checkout" });
  await expect(checkout.getByText("Staging", { exact: true })).toBeVisible();
  await expect(checkout.getByText("Production", { exact: true })).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Releases" }).click();
  await page.getByRole("link", { name: "New release" }).click();
  await expect(page.getByRole("heading", { name: "New release" })).toBeVisible();
  await page.getByLabel("Service").selectOption({ label: "Checkout" });
  await page.getByLabel("Environment").selectOption({ label: "Production" });

  // A bad image reference is refused with a clear message, and nothing is created: the form
  // checks the action's schema before sending anything, and puts the focus on the field.
  let actionCalls = 0;
  page.on("request", (request) => {
    if (request.method() === "POST" && request.headers()["next-action"]) actionCalls++;
  });
  await page.getByLabel("Image").fill("registry.greenlight.local/shop/Checkout");
  await page.getByLabel("Change summary").fill("Adds Apple Pay behind the apple-pay flag.");
  await page.getByRole("button", { name: "Create release" }).click();
  await expect(page.getByText("Repository names must be lowercase.").first()).toBeVisible();
  await expect(page.getByLabel("Image")).toBeFocused();
  await expect(page.getByLabel("Image")).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/releases\/new$/);
  expect(actionCalls).toBe(0);

  await page.getByLabel("Image").fill(image);
  await page.getByRole("radio", { name: "Blue-green" }).check();
  await page.getByRole("button", { name: "Add link" }).click();
  await page.getByLabel("Link 1 label").fill("PR 1234");
  await page.getByLabel("Link 1 URL").fill("https://git.example.com/shop/checkout/pull/1234");
  await page.getByRole("button", { name: "Create release" }).click();

  await expect(page).toHaveURL(/\/releases\/[a-z0-9]+$/);
  await expect(page.getByText(/Release R-\d+ created/)).toBeVisible();
  await expect(page.getByTestId("release-image")).toHaveText(image);
  const detailUrl = page.url();

  await page.goto("/releases");
  await page.getByLabel("Filter by service").selectOption("checkout");
  await page.getByLabel("Filter by environment").selectOption("production");
  await expect(page).toHaveURL(/service=checkout/);
  const row = page.getByRole("row").filter({ has: page.locator(`td[title="${image}"]`) });
  await expect(row).toHaveCount(1);
  await expect(row.getByText("Pending")).toBeVisible();
  await row.getByRole("link", { name: /^R-\d+$/ }).click();
  await expect(page).toHaveURL(detailUrl);
  await expect(page.getByText("Adds Apple Pay behind the apple-pay flag.")).toBeVisible();
  await expect(page.getByRole("link", { name: "PR 1234" })).toHaveAttribute(
    "href",
    "https://git.example.com/shop/checkout/pull/1234",
  );
});

test("a viewer has no way to create a release, and a forged call of the action is refused", async ({ browser }) => {
  // Capture what the browser sends when a release manager submits the form, without letting
  // it reach the server.
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await signIn(manager, "release.manager@greenlight.local");
  await manager.goto("/releases/new");
  const image = `registry.greenlight.local/shop/checkout:6.6.6-${uniqueTag()}`;
  await manager.getByLabel("Image").fill(image);
  await manager.getByLabel("Change summary").fill("Forged by a viewer, should never exist.");
  let captured: Request | undefined;
  await manager.route("**/releases/new", async (route) => {
    if (route.request().method() === "POST" && route.request().headers()["next-action"]) {
      captured = route.request();
      await route.abort();
    } else await route.continue();
  });
  await manager.getByRole("button", { name: "Create release" }).click();
  await expect.poll(() => captured).toBeTruthy();
  const forged = captured!;

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer@greenlight.local");
  await expect(viewer.getByTestId("current-roles")).toHaveText("Viewer");
  await viewer.goto("/releases");
  await expect(viewer.getByRole("heading", { name: "Releases" })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "New release" })).toHaveCount(0);
  await expect(viewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await viewer.goto("/releases/new");
  await expect(viewer.getByRole("heading", { name: "Not found" })).toBeVisible();

  // The same request, replayed with the viewer's session cookie.
  const headers = { ...forged.headers() };
  delete headers.cookie;
  const response = await viewer.request.post(forged.url(), { headers, data: forged.postDataBuffer() ?? "" });
  const body = await response.text();
  expect(body).toContain('"code":"FORBIDDEN"');
  expect(body).toContain("Only a release manager or admin can create a release.");

  // And with no session at all.
  const anonymous = await browser.newContext();
  const anonymousResponse = await anonymous.request.post(`${forged.url()}`, {
    headers,
    data: forged.postDataBuffer() ?? "",
  });
  expect(await anonymousResponse.text()).toContain('"code":"UNAUTHENTICATED"');

  // Nothing was created.
  await manager.unroute("**/releases/new");
  await manager.goto("/releases?service=checkout");
  await expect(manager.getByRole("heading", { name: "Releases" })).toBeVisible();
  await expect(manager.locator(`td[title="${image}"]`)).toHaveCount(0);

  await Promise.all([managerContext.close(), viewerContext.close(), anonymous.close()]);
});

// Release manager applies at once; an approver role waits for a second admin (e2e/four-eyes.spec.ts).
test("an admin gives and removes a role, and the change is in the audit log", async ({ page }) => {
  await signIn(page, "admin@greenlight.local");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  const row = page.getByTestId("person-oncall@greenlight.local");
  await row.getByLabel("Role to give Omar Haddad").selectOption({ label: "Release manager" });
  await row.getByRole("button", { name: "Add role" }).click();
  await expect(page.getByText("Omar Haddad is now Release manager.")).toBeVisible();
  await expect(row.getByRole("button", { name: "Remove Release manager from Omar Haddad" })).toBeVisible();

  await row.getByRole("button", { name: "Remove Release manager from Omar Haddad" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove Release manager from Omar Haddad?" });
  // Cancel first: nothing changes, and focus is back on the button that opened it.
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Remove Release manager from Omar Haddad" })).toBeFocused();
  await page.keyboard.press("Enter");
  await confirm.getByRole("button", { name: "Remove Release manager", exact: true }).click();
  await expect(page.getByText("Omar Haddad no longer holds Release manager.")).toBeVisible();
  await expect(row.getByRole("button", { name: "Remove Release manager from Omar Haddad" })).toHaveCount(0);

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("cell", { name: "role.remove" }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "role.assign" }).first()).toBeVisible();
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "oncall@greenlight.local");
  await page.getByRole("button", { name: /Account: Omar Haddad/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/releases");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("on a canary, the release manager may promote or abort, on-call may only abort", async ({ browser }) => {
  test.setTimeout(120_000);
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "release.manager@greenlight.local");
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: "Search" });
  await manager.getByLabel("Environment").selectOption({ label: "Staging" });
  await manager.getByLabel("Image").fill(`registry.greenlight.local/shop/search:0.19.0-${uniqueTag()}`);
  await manager.getByRole("radio", { name: "Canary" }).check();
  await manager.getByLabel("Change summary").fill("Typo-tolerant suggestions.");
  await manager.getByRole("button", { name: "Create release" }).click();
  await expect(manager.getByTestId("release-image")).toContainText("0.19.0");
  const releaseUrl = manager.url();
  await manager.getByRole("button", { name: "Deploy", exact: true }).click();
  const controls = manager.getByTestId("canary-controls");
  await expect(controls.getByRole("button", { name: "Promote now" })).toBeVisible({ timeout: 30_000 });
  await expect(controls.getByRole("button", { name: "Abort canary" })).toBeVisible();

  // On-call sees the same run with Abort only: promoting is a deploy decision.
  const onCall = await (await browser.newContext()).newPage();
  await signIn(onCall, "oncall@greenlight.local");
  await onCall.goto(releaseUrl);
  const theirs = onCall.getByTestId("canary-controls");
  await expect(theirs.getByRole("button", { name: "Abort canary" })).toBeVisible({ timeout: 30_000 });
  await expect(onCall.getByRole("button", { name: "Promote now" })).toHaveCount(0);
  // By keyboard: the abort asks first, then takes the canary out of traffic.
  await theirs.getByRole("button", { name: "Abort canary" }).focus();
  await onCall.keyboard.press("Enter");
  await onCall.getByRole("dialog").getByRole("button", { name: "Abort canary" }).click();
  await expect(onCall.getByTestId("run-status")).toHaveText("aborted", { timeout: 60_000 });
});
