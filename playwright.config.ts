import fs from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_DISPLAY_NAME, testAccounts } from "./e2e/oidc/accounts";

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// The OpenID provider (e2e/oidc/provider.ts) the app signs people in through, beside the demo accounts.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 9496);
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
// Set here, in the runner, so the workers (which inherit its environment) and the provider agree.
process.env.E2E_OIDC_RUN ??= Date.now().toString(36);
const oidcRun = process.env.E2E_OIDC_RUN;
// Debian's Chromium when installed (nothing can download Playwright's own browser here).
const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: systemChromium
      ? {
          executablePath: systemChromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        }
      : {},
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: [
    {
      command: `${path.join("node_modules", ".bin", "tsx")} e2e/oidc/provider.ts`,
      url: `${oidcIssuer}/.well-known/openid-configuration`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: { E2E_OIDC_PORT: String(oidcPort), E2E_APP_URL: baseURL, E2E_OIDC_RUN: oidcRun },
    },
    // The real app, started the way a newcomer starts it (`npm start`), on its own embedded
    // database in .data/e2e so it never touches a developer's data.
    {
      command: `${path.join("node_modules", ".bin", "tsx")} --conditions=react-server scripts/start.ts`,
      url: `${baseURL}/api/ready`,
      // A first start builds the app; on 2 busy cores that has taken over 9 minutes.
      timeout: 900_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PORT: String(port),
        HOST: "127.0.0.1",
        GREENLIGHT_DATA_DIR: process.env.E2E_DATA_DIR ?? ".data/e2e",
        EMBEDDED_PG_PORT: process.env.E2E_PG_PORT ?? "54339",
        PROMETHEUS_PORT: process.env.E2E_PROMETHEUS_PORT ?? "9492",
        ALERTMANAGER_PORT: process.env.E2E_ALERTMANAGER_PORT ?? "9494",
        WORKER_METRICS_PORT: process.env.E2E_WORKER_METRICS_PORT ?? "9497",
        LOG_LEVEL: "warn",
        OIDC_ISSUER: oidcIssuer,
        OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET,
        OIDC_DISPLAY_NAME,
        ADMIN_EMAILS: testAccounts(oidcRun).boss.email,
      },
    },
  ],
});
