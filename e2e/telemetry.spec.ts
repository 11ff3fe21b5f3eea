import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * The app's own telemetry as `npm start` runs it: every answer names its request, /api/metrics
 * answers only with the token, and the Prometheus that `npm start` runs beside the app scrapes
 * the web server and the worker, with request durations by route pattern.
 */
const prometheus = `http://127.0.0.1:${process.env.E2E_PROMETHEUS_PORT ?? "9492"}`;

async function instant(promql: string): Promise<number | null> {
  const response = await fetch(`${prometheus}/api/v1/query?${new URLSearchParams({ query: promql })}`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : null;
}

test("pages and API answers carry a request id; metrics need the token", async ({ page, request }) => {
  const pageAnswer = await page.goto("/sign-in");
  expect(pageAnswer?.headers()["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  const ready = await request.get("/api/ready");
  const ids = [ready.headers()["x-request-id"], (await request.get("/api/ready")).headers()["x-request-id"]];
  expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
  expect(ids[1]).not.toBe(ids[0]);

  const anonymous = await request.get("/api/metrics");
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["www-authenticate"]).toContain("Bearer");
  expect((await request.get("/api/metrics", { headers: { authorization: "Bearer wrong-token" } })).status()).toBe(401);
});

test("the local Prometheus scrapes the web server and the worker, durations by route", async ({ page }) => {
  await signIn(page, "release.manager@greenlight.local");
  await page.goto("/releases");
  await page.locator('main a[href^="/releases/"]:not([href="/releases/new"])').first().click();
  await expect(page).toHaveURL(/\/releases\/[^/]+$/);

  // Scraped every 5 s: the visit shows up within a few scrapes, under the route's pattern.
  await expect.poll(() => instant('up{job="greenlight-web"}'), { timeout: 30_000, message: "web target up" }).toBe(1);
  await expect
    .poll(() => instant('up{job="greenlight-worker"}'), { timeout: 30_000, message: "worker target up" })
    .toBe(1);
  await expect
    .poll(
      () =>
        instant(
          'sum(greenlight_http_request_duration_seconds_count{job="greenlight-web",route="/releases/[id]",status="200"})',
        ),
      { timeout: 30_000, message: "the release page's requests, by route pattern" },
    )
    .toBeGreaterThan(0);
  expect(
    await instant('count(greenlight_http_request_duration_seconds_count{route=~".*/releases/[a-z0-9]{20,}.*"})'),
  ).toBeNull();
  expect(await instant('greenlight_database_metrics_up{job="greenlight-web"}')).toBe(1);
});
