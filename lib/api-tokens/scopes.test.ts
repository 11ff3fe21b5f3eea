import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_SCOPES, CI_PIPELINE_SCOPES } from "@/lib/api-tokens/scopes";

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

describe("API scopes", () => {
  const permissions = routeFiles(path.join(process.cwd(), "app/api/v1")).flatMap((file) =>
    [...fs.readFileSync(file, "utf8").matchAll(/apiRoute\(\s*\{\s*permission:\s*"([^"]+)"/g)].map((m) => m[1]),
  );

  it("offers every permission an /api/v1 route checks, and none that no route checks", () => {
    expect(permissions.length).toBeGreaterThanOrEqual(7);
    expect(new Set(permissions)).toEqual(new Set(Object.keys(API_SCOPES)));
  });

  it("gives a CI pipeline only API scopes", () => {
    for (const scope of CI_PIPELINE_SCOPES) expect(Object.keys(API_SCOPES)).toContain(scope);
  });
});
