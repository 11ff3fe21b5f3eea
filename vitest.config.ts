import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
const alias = {
  "@": root,
  // Next's guard against importing server code into client bundles; meaningless in tests.
  "server-only": path.join(root, "tests/support/empty-module.ts"),
};

const FAULTS = "tests/integration/faults.test.ts";
const integration = {
  environment: "node" as const,
  globalSetup: ["tests/support/global-database.ts"],
  setupFiles: ["tests/support/test-database.ts"],
  pool: "forks" as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      // The sandbox cluster is its own package with its own config and tests.
      "packages/*",
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          // Run on its own (`--project faults`): it holds runs to bounds that other files'
          // load on the same cores would break.
          exclude: [FAULTS],
          ...integration,
        },
      },
      {
        resolve: { alias },
        test: { name: "faults", include: [FAULTS], ...integration },
      },
    ],
  },
});
