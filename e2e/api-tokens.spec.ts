import { expect, request, test } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

// A release manager makes a token for a pipeline from the account menu, sees its secret once,
// uses it against /api/v1 (limited to Staging), an admin finds it in the list of every token, and
// revoking it refuses the next request.
test("a token is made from the account menu, shown once, used, listed for admins and revoked", async ({
  browser,
  baseURL,
}) => {
  const name = `checkout pipeline ${uniqueTag()}`;
  const riley = await browser.newPage();
  await signIn(riley, "release.manager@greenlight.local");
  await riley.getByRole("button", { name: /^Account: / }).click();
  await riley.getByRole("menuitem", { name: "API tokens" }).click();
  await expect(riley.getByRole("heading", { name: "API tokens" })).toBeVisible();

  // Nothing beyond the release manager's roles is offered, and a short name is refused in place.
  await expect(riley.getByRole("checkbox", { name: /^release:create/ })).toBeChecked();
  await expect(riley.getByRole("checkbox", { name: /^service:rollback/ })).toBeVisible();
  await expect(riley.getByText("people:manage")).toHaveCount(0);
  await riley.getByLabel("Name").fill("ci");
  await riley.getByRole("button", { name: "Make token" }).click();
  await expect(riley.getByText("Token name needs at least 3 characters.")).toBeVisible();
  await expect(riley.getByLabel("Name")).toBeFocused();

  await riley.getByLabel("Name").fill(name);
  await riley.getByRole("checkbox", { name: "Staging" }).check();
  await riley.getByRole("button", { name: "Make token" }).click();
  const secretBox = riley.getByTestId("token-secret");
  await expect(secretBox).toHaveValue(/^glt_[A-Za-z0-9_-]{43}$/);
  const secret = await secretBox.inputValue();
  await expect(riley.getByText("cannot show it again")).toBeVisible();

  const api = await request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  const service = await api.get("/api/v1/services/checkout");
  expect(service.status()).toBe(200);
  const body = (await service.json()) as { environments: { environment: { name: string } }[] };
  expect(body.environments.map((e) => e.environment.name)).toEqual(["staging"]);

  // Once dismissed, the secret is nowhere on the page, and the row says it has been used.
  await riley.getByRole("button", { name: "Done, I have stored it" }).click();
  await riley.reload();
  expect(await riley.content()).not.toContain(secret);
  const row = riley.getByTestId(`token-${name}`);
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).toContainText("Staging");
  await expect(row).not.toContainText("never");

  const ada = await browser.newPage();
  await signIn(ada, "admin@greenlight.local");
  await ada.goto("/admin/tokens");
  await expect(ada.getByTestId(`token-${name}`)).toContainText("Riley Morgan");
  await ada.close();

  await row.getByRole("button", { name: `Revoke token ${name}` }).click();
  const dialog = riley.getByRole("dialog", { name: `Revoke “${name}”?` });
  await expect(dialog).toContainText("cannot be undone");
  await dialog.getByRole("button", { name: "Revoke token" }).click();
  await expect(riley.getByText(`Token “${name}” revoked.`)).toBeVisible();
  await expect(row.getByTestId("token-state")).toHaveText("revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);

  const refused = await api.get("/api/v1/services/checkout");
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toContain("application/problem+json");
  expect(((await refused.json()) as { detail: string }).detail).toBe("This API token was revoked.");
  await api.dispose();
  await riley.close();
});
