import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

// History reads the 90 days of demo history `npm start` seeds (lib/seed/demo-history.ts).
const METRICS = ["deployment-frequency", "lead-time", "change-failure-rate", "recovery-time"];

test("leadership reads the four delivery metrics with their bands, the weekly chart and who signed", async ({
  page,
}) => {
  await signIn(page, "viewer@greenlight.local");
  await page.getByRole("link", { name: "History" }).first().click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();

  for (const id of METRICS) {
    const card = page.getByTestId(`metric-${id}`);
    await expect(card.getByTestId("metric-value")).not.toHaveText("—");
    await expect(card.getByTestId("metric-band")).toHaveAttribute("data-band", /^(elite|high|medium|low)$/);
    await expect(card.getByTestId("metric-previous")).toContainText("Previous period:");
  }
  await expect(page.getByTestId("metric-deployment-frequency")).toContainText("production deploys in 30 days");

  // The chart is drawn from the page's own data (no client fetch): bars for each outcome.
  const chart = page.getByTestId("deploys-chart");
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeAttached();
  await expect(chart).toContainText("Succeeded");
  await expect(chart).toContainText("Rolled back");

  await expect(page.getByTestId("service-metrics").getByRole("link", { name: "Checkout" })).toBeVisible();
  const releases = page.getByTestId("history-releases");
  await expect(releases.getByText("Casey Ortiz").first()).toBeVisible();

  await page.getByText("How these are computed").click();
  await expect(page.getByTestId("definitions")).toContainText("aborted or failed before its traffic switch");
  await expect(page.getByTestId("definitions")).toContainText("Accelerate State of DevOps Report 2023");
});

test("the period picker changes the URL and the figures", async ({ page }) => {
  await signIn(page, "viewer@greenlight.local");
  await page.goto("/history");
  const frequency = page.getByTestId("metric-deployment-frequency");
  await expect(frequency).toContainText("in 30 days");

  await page.getByLabel("Period", { exact: true }).selectOption("7d");
  await expect(page).toHaveURL(/[?&]range=7d/);
  await expect(frequency).toContainText("in 7 days");

  await page.getByLabel("Period", { exact: true }).selectOption("90d");
  await expect(page).toHaveURL(/[?&]range=90d/);
  await expect(frequency).toContainText("in 90 days");
  const ninety = await frequency.getByTestId("metric-value").textContent();

  // Dates: a custom period, both days included.
  await page.getByLabel("Period", { exact: true }).selectOption("custom");
  const today = new Date();
  const start = new Date(today.getTime() - 13 * 86_400_000);
  await page.getByLabel("From (UTC)").fill(start.toISOString().slice(0, 10));
  await page.getByLabel("To (UTC, included)").fill(today.toISOString().slice(0, 10));
  await page.getByRole("button", { name: "Apply dates" }).click();
  await expect(page).toHaveURL(/[?&]from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);
  await expect(frequency).toContainText("in 14 days");

  // A service filter narrows the metrics to it.
  await page.goto("/history?range=90d&service=search");
  await expect(page.getByTestId("service-metrics").getByRole("link")).toHaveText(["Search"]);
  await expect(frequency.getByTestId("metric-value")).not.toHaveText(ninety ?? "");
});

test("the metrics download as CSV for signed-in people only", async ({ page, playwright, baseURL }) => {
  await signIn(page, "viewer@greenlight.local");
  await page.goto("/history?range=7d");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download metrics (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^delivery-metrics-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = fs
    .readFileSync((await download.path())!, "utf8")
    .trim()
    .split("\n");
  expect(csv[0]).toMatch(/^service,environment,current_from,current_to,current_production_deploys,/);
  expect(csv[0]).toContain("previous_change_failure_rate_percent");
  expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(["(all services)", "catalog", "checkout", "search"]);
  expect(csv[1].split(",")[1]).toBe("production");

  const anonymous = await playwright.request.newContext({ baseURL });
  const refused = await anonymous.get("/api/history/metrics.csv");
  expect(refused.status()).toBe(401);
  await anonymous.dispose();
});
