import type { Role } from "@/lib/generated/prisma/enums";

export type { Role };

export const APPROVER_ROLES = [
  "CTO",
  "ENGINEERING_LEAD",
  "DEVOPS_LEAD",
  "SECURITY_LEAD",
  "PRODUCT_LEAD",
  "HEAD_OF_SUPPORT",
] as const satisfies readonly Role[];

export type ApproverRole = (typeof APPROVER_ROLES)[number];

export const ALL_ROLES = [
  ...APPROVER_ROLES,
  "RELEASE_MANAGER",
  "ON_CALL",
  "VIEWER",
  "ADMIN",
] as const satisfies readonly Role[];

export const ROLE_LABELS: Record<Role, string> = {
  CTO: "CTO / VP Engineering",
  ENGINEERING_LEAD: "Engineering Lead",
  DEVOPS_LEAD: "DevOps Lead",
  SECURITY_LEAD: "Security Lead",
  PRODUCT_LEAD: "Product Lead",
  HEAD_OF_SUPPORT: "Head of Support",
  RELEASE_MANAGER: "Release manager",
  ON_CALL: "On-call engineer",
  VIEWER: "Viewer",
  ADMIN: "Admin",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  CTO: "Signs for strategic approval",
  ENGINEERING_LEAD: "Signs for code quality assurance",
  DEVOPS_LEAD: "Signs for infrastructure readiness",
  SECURITY_LEAD: "Signs for security compliance",
  PRODUCT_LEAD: "Signs for feature and business requirements",
  HEAD_OF_SUPPORT: "Signs for support readiness",
  RELEASE_MANAGER: "Creates releases and deploys them",
  ON_CALL: "Rolls back during incidents",
  VIEWER: "Reads releases and history",
  ADMIN: "Manages people, roles and settings",
};

export function isApproverRole(role: Role): role is ApproverRole {
  return (APPROVER_ROLES as readonly Role[]).includes(role);
}
