import type { GateOverrideKind } from "@/lib/generated/prisma/enums";
import type { Unmet } from "@/lib/approvals/policy";

export type { GateOverrideKind };

/**
 * The gate conditions an admin may override for one revision, with a written reason. Every
 * other condition (sign-offs, rejections, checklist, a run in progress) has no way around it.
 */
export const GATE_OVERRIDES = {
  FREEZE: { unmet: "freeze", name: "freeze", label: "Freeze", audit: "gate.override_freeze" },
  ERROR_BUDGET: {
    unmet: "error-budget",
    name: "error budget",
    label: "Error budget",
    audit: "gate.override_error_budget",
  },
} as const satisfies Record<GateOverrideKind, { unmet: Unmet["kind"]; name: string; label: string; audit: string }>;

export const GATE_OVERRIDE_KINDS = [
  "FREEZE",
  "ERROR_BUDGET",
] as const satisfies readonly (keyof typeof GATE_OVERRIDES)[];

/** The override that would lift an unmet condition, if any does. */
export function overrideFor(unmet: Unmet): GateOverrideKind | null {
  return GATE_OVERRIDE_KINDS.find((kind) => GATE_OVERRIDES[kind].unmet === unmet.kind) ?? null;
}
