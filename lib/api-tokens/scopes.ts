import type { Permission } from "@/lib/rbac";

/**
 * The permissions /api/v1 checks, with what each lets a token do. Only these are offered on the
 * token form: a scope no route asks for would grant nothing (the API test checks that every
 * route's permission is here).
 */
export const API_SCOPES = {
  "dashboard:read": "Read releases, gates, runs and live service state (every GET)",
  "release:create": "Create releases (POST /api/v1/releases)",
  "release:deploy": "Deploy an approved release (POST /api/v1/releases/{id}/deploy)",
  "service:rollback": "Roll a service back with a reason (POST /api/v1/services/{id}/rollback)",
} as const satisfies Partial<Record<Permission, string>>;

export type ApiScope = keyof typeof API_SCOPES;

export const API_SCOPE_NAMES = Object.keys(API_SCOPES) as ApiScope[];

/** What a pipeline that creates a release, waits for its gate and deploys it needs, and nothing more. */
export const CI_PIPELINE_SCOPES: ApiScope[] = ["dashboard:read", "release:create", "release:deploy"];
