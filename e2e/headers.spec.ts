import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page, type Response } from "@playwright/test";
import { signIn } from "./helpers";

/**
 * Every page's security headers, read from the built app: a Content-Security-Policy whose nonce is
 * on every script the page ships and which allows no inline script, HSTS (the suite runs the
 * production build, `next start`), and the static headers. The pages come from app/**\/page.tsx,
 * so a new page is checked without touching this file; its dynamic segments are filled from the
 * demo data through the links of the listing page above it.
 */

const APP = path.join(process.cwd(), "app");
const HSTS = "max-age=63072000; includeSubDomains";

/** "/releases/[id]/edit" for app/(dashboard)/releases/[id]/edit/page.tsx; route groups dropped. */
function pageRoutes(dir = APP, prefix = ""): string[] {
  const routes: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      // (group) adds no segment; _private and @slot folders are not routes.
      if (/^[_@]/.test(entry.name)) continue;
      const segment = /^\(.*\)$/.test(entry.name) ? "" : `/${entry.name}`;
      routes.push(...pageRoutes(path.join(dir, entry.name), prefix + segment));
    } else if (/^page\.(tsx|ts|jsx|js)$/.test(entry.name)) routes.push(prefix || "/");
  }
  return routes.sort();
}

const ROUTES = pageRoutes();
// Pages that must be read signed out (signed in, they send people elsewhere).
const SIGNED_OUT = ["/sign-in"];
// Where the links to a dynamic segment's pages are, when the listing at its prefix does not show
// them by default (the incident list shows open incidents; the demo's are resolved).
const LISTINGS: Record<string, string> = { "/incidents": "/incidents?status=all" };

/** Fills each [segment] with the first value the listing above it links to. */
async function resolve(page: Page, route: string): Promise<string> {
  let resolved = "";
  for (const segment of route.split("/").slice(1)) {
    if (!/^\[.+\]$/.test(segment)) {
      resolved += `/${segment}`;
      continue;
    }
    const parent = resolved;
    // Static siblings (/incidents/new) are pages of their own, not values of the segment.
    const siblings = new Set(
      ROUTES.filter((r) => r.startsWith(`${parent}/`))
        .map((r) => r.slice(parent.length + 1).split("/")[0]!)
        .filter((s) => !s.startsWith("[")),
    );
    await page.goto(LISTINGS[parent] ?? parent);
    const hrefs = await page
      .locator(`a[href^="${parent}/"]`)
      .evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
    const value = hrefs
      .map((href) => new URL(href, "http://x").pathname.slice(parent.length + 1))
      .find((rest) => rest && !rest.includes("/") && !siblings.has(decodeURIComponent(rest)));
    expect(value, `no link on ${parent} to fill ${route}; add its listing to LISTINGS`).toBeTruthy();
    resolved += `/${value}`;
  }
  return resolved;
}

interface Violation {
  page: string;
  directive: string;
  blocked: string;
}

/** Records CSP violations the browser reports (the event, and its console message). */
async function watchViolations(page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  await page.exposeFunction("__reportCspViolation", (v: Violation) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      void (window as unknown as { __reportCspViolation: (v: unknown) => void }).__reportCspViolation({
        page: location.pathname,
        directive: e.violatedDirective,
        blocked: e.blockedURI || e.sample,
      });
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /Content.Security.Policy/i.test(message.text()))
      violations.push({ page: new URL(page.url()).pathname, directive: "console", blocked: message.text() });
  });
  return violations;
}

/** The header checks and the nonce of every <script> the HTML carries. */
async function checkHeaders(response: Response | null, route: string) {
  expect(response, route).not.toBeNull();
  expect(response!.status(), `${route} answered ${response!.status()}`).toBeLessThan(400);
  const headers = response!.headers();
  const csp = headers["content-security-policy"];
  expect(csp, `${route} has no Content-Security-Policy`).toBeTruthy();
  const directives = new Map(
    csp!.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values] as const;
    }),
  );
  const scriptSrc = directives.get("script-src") ?? directives.get("default-src") ?? [];
  expect(scriptSrc, route).not.toContain("'unsafe-inline'");
  expect(scriptSrc, route).not.toContain("'unsafe-eval'");
  expect(directives.get("frame-ancestors"), route).toEqual(["'none'"]);
  expect(directives.get("object-src"), route).toEqual(["'none'"]);
  const nonce = scriptSrc.map((s) => /^'nonce-(.+)'$/.exec(s)?.[1]).find(Boolean);
  expect(nonce, `${route}: script-src has no nonce`).toBeTruthy();

  const html = await response!.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length, `${route} ships no script`).toBeGreaterThan(0);
  for (const tag of scripts)
    expect(tag, `${route}: a script without this response's nonce`).toContain(`nonce="${nonce}"`);

  expect(headers["strict-transport-security"], route).toBe(HSTS);
  expect(headers["x-frame-options"], route).toBe("DENY");
  expect(headers["x-content-type-options"], route).toBe("nosniff");
  expect(headers["referrer-policy"], route).toBe("same-origin");
  expect(headers["permissions-policy"], route).toContain("camera=()");
  return nonce!;
}

test("the page list is read from app/", () => {
  // A guard on the enumeration itself: if it found nothing, the checks below would pass vacuously.
  expect(ROUTES).toEqual(expect.arrayContaining(["/", "/sign-in", "/deployments/[id]", "/releases/[id]/edit"]));
  expect(ROUTES.length).toBeGreaterThanOrEqual(19);
});

test("every page sends a nonce-based CSP that matches its scripts, HSTS and the static headers, with no violation", async ({
  page,
}) => {
  test.setTimeout(240_000);
  const violations = await watchViolations(page);
  await signIn(page, "admin@greenlight.local");
  const checked: string[] = [];
  const nonces = new Set<string>();
  for (const route of ROUTES.filter((r) => !SIGNED_OUT.includes(r))) {
    const url = await resolve(page, route);
    const response = await page.goto(url);
    nonces.add(await checkHeaders(response, `${route} (${url})`));
    // The browser applied the header and Next's scripts still ran under it (its runtime sets window.next).
    await page.waitForFunction(() => Boolean((window as unknown as { next?: { version?: string } }).next?.version));
    checked.push(url);
  }
  // A nonce is never reused.
  expect(nonces.size).toBe(checked.length);
  test.info().annotations.push({ type: "pages checked", description: checked.join(", ") });
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
});

test("the sign-in page, signed out, has the same protection and signs in under it", async ({ page }) => {
  const violations = await watchViolations(page);
  for (const route of SIGNED_OUT) await checkHeaders(await page.goto(route), route);
  // Signing in is client-side script (next-auth's signIn): it only works if the nonce let it run.
  await signIn(page, "viewer@greenlight.local");
  // API answers: HSTS and the static headers; no CSP needed on JSON.
  const health = await page.request.get("/api/health");
  expect(health.headers()["strict-transport-security"]).toBe(HSTS);
  expect(health.headers()["x-content-type-options"]).toBe("nosniff");
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
});

test("charts, live run progress, dialogs and toasts work under the CSP", async ({ page }) => {
  const violations = await watchViolations(page);
  await signIn(page, "oncall@greenlight.local");

  // recharts draws its SVG with inline style attributes.
  await page.goto("/history");
  await expect(page.getByTestId("deploys-chart").locator("svg.recharts-surface").first()).toBeVisible();

  // A service page: react-query, the rollback preview and its Radix dialog.
  await page.goto("/services/checkout");
  await expect(page.getByRole("heading", { name: "Checkout", level: 1 })).toBeVisible();

  // A run's page: its step events, with bodies for an on-call engineer.
  await page.goto("/deployments");
  const run = await page
    .locator('a[href^="/deployments/"]')
    .evaluateAll((links) =>
      links.map((a) => a.getAttribute("href")!).find((h) => /^\/deployments\/[a-z0-9]+$/i.test(h)),
    );
  await page.goto(run!);
  await expect(page.getByTestId("run-event").first()).toBeVisible();
  await expect(page.getByTestId("step-bodies-hidden")).toHaveCount(0);

  // The theme switch is next-themes (its inline script carries the nonce) and sonner's toasts
  // inject a <style>: neither may be refused.
  expect(await page.evaluate(() => document.documentElement.className)).toMatch(/light|dark/);
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
});

test("a viewer reads a run's step summaries, not what was sent to the cluster", async ({ page }) => {
  await signIn(page, "viewer@greenlight.local");
  await page.goto("/deployments");
  const run = await page
    .locator('a[href^="/deployments/"]')
    .evaluateAll((links) =>
      links.map((a) => a.getAttribute("href")!).find((h) => /^\/deployments\/[a-z0-9]+$/i.test(h)),
    );
  await page.goto(run!);
  await expect(page.getByTestId("run-event").first()).toBeVisible();
  await expect(page.getByTestId("step-bodies-hidden")).toBeVisible();
  await expect(page.getByText("Request sent")).toHaveCount(0);
  await expect(page.getByText("What the cluster answered")).toHaveCount(0);

  const id = run!.split("/").pop()!;
  const api = await page.request.get(`/api/runs/${id}`);
  expect(api.status()).toBe(200);
  const body = (await api.json()) as { events: Record<string, unknown>[] };
  expect(body.events.length).toBeGreaterThan(0);
  for (const event of body.events) expect(Object.keys(event).sort()).toEqual(["at", "message", "phase", "seq", "step"]);
});
