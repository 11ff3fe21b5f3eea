import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// One admin cannot weaken the gate alone: switching staging's error-budget gate off waits until a
// second admin confirms it. (On is tightening and applies at once; the spec ends where it began.)
test("switching a gate off waits for a second admin, who confirms it", async ({ browser }) => {
  const ada = await browser.newPage();
  await signIn(ada, "admin@greenlight.local");
  await ada.goto("/admin/environments");
  const staging = ada.getByTestId("settings-staging");
  const budgetGate = staging.getByRole("checkbox", { name: "Block deploys while the error budget is exhausted" });
  const save = staging.getByRole("button", { name: "Save policy" });
  // Enabled once the page has hydrated: a box ticked before then would be reset by it.
  await expect(save).toBeEnabled();
  // Staging's budget gate starts off. A retry finds what the failed attempt left instead: the gate
  // on, and maybe Ada's request still open.
  if (test.info().retry === 0) await expect(budgetGate).not.toBeChecked();
  const leftOver = ada
    .getByTestId("gate-change-pending")
    .filter({ hasText: "Staging: turning the error-budget gate off" });
  if ((await leftOver.count()) > 0) {
    await leftOver.getByRole("button", { name: "Withdraw" }).click();
    await expect(leftOver).toHaveCount(0);
  }
  if (!(await budgetGate.isChecked())) {
    await budgetGate.check();
    await save.click();
    await expect(ada.getByText("Staging saved.")).toBeVisible();
  }

  await budgetGate.uncheck();
  await save.click();
  await expect(ada.getByText(/Asked: Staging: turning the error-budget gate off/)).toBeVisible();
  // Still in force, and said so on the page.
  await expect(budgetGate).toBeChecked();
  const waiting = ada
    .getByTestId("gate-change-pending")
    .filter({ hasText: "Staging: turning the error-budget gate off" });
  await expect(waiting).toContainText("Asked by you");
  await expect(waiting).toContainText("You asked for this change; another admin has to confirm it.");
  await expect(waiting.getByRole("button", { name: "Confirm" })).toHaveCount(0);
  await ada.close();

  const ben = await browser.newPage();
  await signIn(ben, "second.admin@greenlight.local");
  await ben.goto("/admin/environments");
  const request = ben
    .getByTestId("gate-change-pending")
    .filter({ hasText: "Staging: turning the error-budget gate off" });
  await expect(request).toContainText("Asked by Ada Admin");
  await request.getByRole("button", { name: "Confirm" }).click();
  const dialog = ben.getByRole("dialog", { name: "Confirm this change to the gate?" });
  await expect(dialog).toContainText("Asked by Ada Admin");
  await dialog.getByRole("button", { name: "Confirm change" }).click();
  await expect(ben.getByText("Confirmed: Staging: turning the error-budget gate off.")).toBeVisible();
  await expect(
    ben.getByTestId("gate-change-decided").filter({ hasText: "Staging: turning the error-budget gate off" }).first(),
  ).toContainText("confirmed by Ben Admin");
  await ben.reload();
  await expect(
    ben
      .getByTestId("settings-staging")
      .getByRole("checkbox", { name: "Block deploys while the error budget is exhausted" }),
  ).not.toBeChecked();
  await ben.close();
});

test("an approver role waits for a second admin; nobody is offered a role for themselves", async ({ browser }) => {
  const ada = await browser.newPage();
  await signIn(ada, "admin@greenlight.local");
  await ada.goto("/admin");
  await expect(ada.getByTestId("person-admin@greenlight.local")).toContainText("Another admin grants your roles.");
  await expect(ada.getByTestId("person-admin@greenlight.local").getByRole("button", { name: "Add role" })).toHaveCount(
    0,
  );

  // Ada asks to make Ben (the other admin) Head of Support: Ben may not confirm his own grant.
  const ben = ada.getByTestId("person-second.admin@greenlight.local");
  await ben.getByLabel("Role to give Ben Admin").selectOption({ label: "Head of Support" });
  await ben.getByRole("button", { name: "Add role" }).click();
  await expect(ada.getByText("Asked: Grant Head of Support to Ben Admin.", { exact: false })).toBeVisible();
  await ada.close();

  const benPage = await browser.newPage();
  await signIn(benPage, "second.admin@greenlight.local");
  await benPage.goto("/admin");
  const request = benPage.getByTestId("gate-change-pending").filter({ hasText: "Grant Head of Support to Ben Admin" });
  await expect(request).toContainText("Nobody can confirm a role for themselves; another admin has to.");
  await expect(request.getByRole("button", { name: "Confirm" })).toHaveCount(0);
  // He can decline it, though: nothing changes.
  await request.getByRole("button", { name: "Decline" }).click();
  await expect(benPage.getByText("Declined: Grant Head of Support to Ben Admin.")).toBeVisible();
  await expect(benPage.getByRole("button", { name: "Remove Head of Support from Ben Admin" })).toHaveCount(0);
  await benPage.close();
});
