import { expect, test, type Browser, type Page, type Request } from "@playwright/test";
import { signIn, uniqueTag } from "./helpers";

const APPROVERS = [
  { email: "cto@greenlight.local", role: "CTO", label: "CTO / VP Engineering" },
  { email: "eng.lead@greenlight.local", role: "ENGINEERING_LEAD", label: "Engineering Lead" },
  { email: "devops.lead@greenlight.local", role: "DEVOPS_LEAD", label: "DevOps Lead" },
  { email: "security.lead@greenlight.local", role: "SECURITY_LEAD", label: "Security Lead" },
  { email: "product.lead@greenlight.local", role: "PRODUCT_LEAD", label: "Product Lead" },
  { email: "support.head@greenlight.local", role: "HEAD_OF_SUPPORT", label: "Head of Support" },
];

async function as(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

test("six people sign a production release, the checklist is ticked, and Deploy runs it on the cluster", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const manager = await as(browser, "release.manager@greenlight.local");
  await manager.goto("/releases/new");
  await manager.getByLabel("Service").selectOption({ label: "Catalog" });
  await manager.getByLabel("Environment").selectOption({ label: "Production" });
  const tag = uniqueTag();
  await manager.getByLabel("Image").fill(`registry.greenlight.local/shop/catalog:2.10.0-${tag}`);
  await manager.getByLabel("Change summary").fill("Faster product listing queries.");
  await manager.getByRole("button", { name: "Create release" }).click();
  await expect(manager.getByTestId("release-image")).toContainText("2.10.0");
  const releaseUrl = manager.url();
  await expect(manager.getByRole("button", { name: "Deploy", exact: true })).toBeDisabled();
  await expect(manager.getByTestId("gate-unmet")).toContainText("Security Lead has not signed yet");

  // A tick on revision 1, by keyboard: it binds to that revision.
  const firstItem = manager.getByTestId("checklist-item").first();
  await firstItem.getByRole("checkbox").focus();
  await manager.keyboard.press("Space");
  await expect(firstItem).toHaveAttribute("data-state", "ticked");
  await expect(firstItem).toContainText("ticked by Riley Morgan");

  // The Security Lead rejects revision 1.
  const security = await as(browser, "security.lead@greenlight.local");
  await expect(security.getByTestId("waiting-count")).toBeVisible();
  await security.goto(releaseUrl);
  await security.getByTestId("approval-SECURITY_LEAD").getByRole("button", { name: "Reject" }).click();
  await security.getByLabel("Why reject as Security Lead?").fill("Base image has a critical CVE");
  await security.getByTestId("approval-SECURITY_LEAD").getByRole("button", { name: "Reject" }).click();
  await expect(security.getByTestId("approval-SECURITY_LEAD").getByTestId("approval-state")).toHaveText("rejected");

  // The release manager ships a fixed image: revision 2.
  await manager.goto(`${releaseUrl}/edit`);
  await manager.getByLabel("Image").fill(`registry.greenlight.local/shop/catalog:2.10.1-${tag}`);
  await manager.getByRole("button", { name: "Save changes" }).click();
  await expect(manager.getByText(/Saved as revision 2/)).toBeVisible();
  await manager.goto(releaseUrl);
  await expect(manager.getByTestId("gate-unmet")).toContainText("Security Lead rejected revision 1");
  // The edit voided the tick: shown as history, the box open again, the gate asks for it.
  await expect(firstItem).toHaveAttribute("data-state", "voided");
  await expect(firstItem.getByTestId("tick-voided")).toHaveText("voided");
  await expect(firstItem.getByTestId("tick-note")).toContainText("voided by revision 2: image changed");
  await expect(firstItem).toContainText("ticked by Riley Morgan on revision 1");
  await expect(firstItem.getByRole("checkbox")).not.toBeChecked();
  await expect(manager.getByTestId("gate-unmet")).toContainText("10 required checklist items unchecked (1 voided");

  // Six different people sign revision 2 in turn; the CTO's first click is captured (not sent)
  // so a viewer can forge it later.
  let forged: Request | undefined;
  for (const approver of APPROVERS) {
    const page = approver.role === "SECURITY_LEAD" ? security : await as(browser, approver.email);
    await page.goto(releaseUrl);
    const row = page.getByTestId(`approval-${approver.role}`);
    if (approver.role === "CTO") {
      await page.route(releaseUrl, async (route) => {
        if (route.request().method() === "POST" && route.request().headers()["next-action"]) {
          forged = route.request();
          await route.abort();
        } else await route.continue();
      });
      await row.getByRole("button", { name: `Approve as ${approver.label}` }).click();
      await expect.poll(() => forged).toBeTruthy();
      await page.unroute(releaseUrl);
      await page.reload();
    }
    await row.getByRole("button", { name: `Approve as ${approver.label}` }).click();
    await expect(row.getByTestId("approval-state")).toHaveText("approved");
    // One person, one role: nothing else is left for them to sign here.
    await expect(page.getByRole("button", { name: /^Approve as/ })).toHaveCount(0);
  }

  // While the release is open, a signer may still back out.
  await expect(security.getByRole("button", { name: "Withdraw my approval" })).toBeVisible();

  // A viewer sees the matrix and no buttons; replaying the CTO's request with the viewer's
  // session is refused.
  const viewer = await as(browser, "viewer@greenlight.local");
  await viewer.goto(releaseUrl);
  await expect(viewer.getByRole("table", { name: "Approvals" })).toBeVisible();
  await expect(viewer.getByTestId("approval-CTO").getByTestId("approval-state")).toHaveText("approved");
  await expect(viewer.getByRole("button", { name: /Approve|Reject/ })).toHaveCount(0);
  const headers = { ...forged!.headers() };
  delete headers.cookie;
  const response = await viewer.request.post(forged!.url(), { headers, data: forged!.postDataBuffer() ?? "" });
  expect(await response.text()).toContain('"code":"FORBIDDEN"');

  // The checklist, ticked item by item.
  await manager.reload();
  const items = manager.getByTestId("checklist-item");
  const count = await items.count();
  expect(count).toBe(10);
  for (let i = 0; i < count; i++) {
    const box = items.nth(i).getByRole("checkbox");
    await box.check();
    await expect(box).toBeChecked();
    await expect(items.nth(i)).toContainText("ticked by Riley Morgan");
  }

  await expect(manager.getByTestId("gate-green")).toBeVisible();
  const deploy = manager.getByRole("button", { name: "Deploy", exact: true });
  await expect(deploy).toBeEnabled();
  await deploy.click();
  await expect(manager.getByTestId("run-status")).toHaveText("succeeded", { timeout: 60_000 });
  await expect(manager.getByTestId("run-progress")).toContainText("gate is green");

  // Deployed: its approvals are history. Nothing to tick, untick or withdraw any more.
  await manager.reload();
  const history = /This release was deployed; its sign-offs and checklist are history/;
  await expect(manager.getByTestId("approvals-final")).toHaveText(history);
  await expect(manager.getByTestId("checklist-closed")).toHaveText(history);
  await expect(manager.getByTestId("checklist-item").first().getByRole("checkbox")).toBeDisabled();
  await security.goto(releaseUrl);
  await expect(security.getByTestId("approval-SECURITY_LEAD").getByTestId("approval-state")).toHaveText("approved");
  await expect(security.getByRole("button", { name: /^Withdraw my/ })).toHaveCount(0);

  await manager.goto("/services/catalog");
  await expect(manager.getByTestId("environment-production").getByTestId("live-image")).toHaveText(
    `registry.greenlight.local/shop/catalog:2.10.1-${tag}`,
  );
});
