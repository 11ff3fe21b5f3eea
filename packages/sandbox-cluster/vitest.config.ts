import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "sandbox-cluster",
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
