import type { Severity } from "@/lib/generated/prisma/client";

const BY_NAME: Record<string, Severity> = {
  p1: "P1",
  p2: "P2",
  p3: "P3",
  p4: "P4",
  critical: "P1",
  high: "P2",
  warning: "P3",
  info: "P4",
};

/**
 * An incident's severity from an alert's severity label: P1..P4 as written, or the names
 * alerting rules commonly use (critical → P1, high → P2, warning → P3, info → P4), in any case;
 * anything else (or no label) is the configured default.
 */
export function severityFromLabel(value: string | undefined, fallback: Severity): Severity {
  if (value === undefined) return fallback;
  return BY_NAME[value.trim().toLowerCase()] ?? fallback;
}
