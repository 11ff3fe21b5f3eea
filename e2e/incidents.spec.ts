import { expect, test } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

test("on-call declares, acknowledges, notes, monitors and resolves an incident; a viewer only reads it", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const title = `Checkout payments fail ${uniqueTag()}`;

  const oncall = await (await browser.newContext()).newPage();
  await signIn(oncall, "oncall@greenlight.local");
  await oncall.goto("/incidents");
  await oncall.getByRole("link", { name: "Declare incident" }).click();
  await oncall.getByLabel("Title").fill(title);
  await oncall.getByRole("radio", { name: /P1/ }).check();
  await oncall.getByLabel("Service (optional)").selectOption({ label: "Checkout" });
  await oncall.getByLabel("Environment (optional)").selectOption({ label: "Staging" });
  await oncall.getByLabel("Summary (optional)").fill("Card payments answer 502.");
  await oncall.getByRole("button", { name: "Declare incident" }).click();

  await expect(oncall).toHaveURL(/\/incidents\/\w+$/);
  const heading = oncall.getByRole("heading", { level: 1 });
  await expect(heading).toContainText(title);
  await expect(heading).toContainText("investigating");
  const clock = oncall.getByTestId("acknowledge-clock");
  await expect(clock).toContainText(/left to acknowledge \(target 5 min\)/);
  await expect(oncall.getByTestId("timeline-entry").filter({ hasText: "declared a P1 incident" })).toBeVisible();

  await oncall.getByRole("button", { name: "Acknowledge" }).click();
  await expect(clock).toHaveText(/^acknowledged after \d+ s \(target 5 min\)$/);
  await expect(oncall.getByTestId("commander")).toHaveText("Omar Haddad");
  await expect(oncall.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);

  await oncall.getByLabel("Note", { exact: true }).fill("Payment provider reports elevated 5xx; status page updated.");
  await oncall.getByLabel("Procedure step", { exact: true }).selectOption("ASSESS");
  await oncall.getByRole("button", { name: "Add note" }).click();
  const note = oncall.getByTestId("timeline-entry").filter({ hasText: "Payment provider reports elevated 5xx" });
  await expect(note).toBeVisible();
  // Filed under the step chosen, not the default.
  await expect(oncall.getByRole("listitem").filter({ has: oncall.locator("#step-ASSESS") })).toContainText(
    "Payment provider reports elevated 5xx",
  );

  await oncall.getByLabel("Status", { exact: true }).selectOption("MONITORING");
  await expect(heading).toContainText("monitoring");
  await expect(oncall.getByTestId("time-to-restore")).toContainText(/restored \d{4}-\d\d-\d\d/);
  await expect(
    oncall.getByTestId("timeline-entry").filter({ hasText: "changed the status from investigating to monitoring" }),
  ).toBeVisible();

  await oncall.getByRole("button", { name: "Resolve", exact: true }).click();
  const dialog = oncall.getByRole("dialog", { name: "Resolve this incident?" });
  await dialog.getByRole("button", { name: "Resolve incident" }).click();
  await expect(dialog.getByText("Resolution summary needs at least 10 characters.")).toBeVisible();
  // Refused in the browser: the dialog stays open and nothing was sent.
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Resolution summary").fill("Provider fixed their gateway; payments recovered at 14:20.");
  await dialog.getByRole("button", { name: "Resolve incident" }).click();
  await expect(dialog).toBeHidden();
  await expect(heading).toContainText("resolved");
  await expect(oncall.getByText(/Resolved by Omar Haddad at .*: Provider fixed their gateway/)).toBeVisible();
  await expect(oncall.getByRole("button", { name: "Reopen" })).toBeVisible();
  await expect(oncall.getByRole("heading", { name: "Postmortem" })).toBeVisible();
  const url = oncall.url();

  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, "viewer@greenlight.local");
  await viewer.goto(url);
  await expect(viewer.getByRole("heading", { level: 1 })).toContainText(title);
  await expect(
    viewer.getByTestId("timeline-entry").filter({ hasText: "Payment provider reports elevated 5xx" }),
  ).toBeVisible();
  await expect(viewer.getByRole("group", { name: "Incident actions" })).toHaveCount(0);
  for (const name of ["Acknowledge", "Resolve", "Reopen", "Add note", "Save postmortem"])
    await expect(viewer.getByRole("button", { name, exact: true })).toHaveCount(0);
  await viewer.goto("/incidents?status=resolved");
  await expect(viewer.getByRole("link", { name: new RegExp(title) })).toBeVisible();
  await expect(viewer.getByRole("link", { name: "Declare incident" })).toHaveCount(0);
});
