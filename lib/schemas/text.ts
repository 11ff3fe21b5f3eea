import type { z } from "zod";

/*
 * Characters nobody means to type into a form, which change what others read without showing:
 * bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder text ("Trojan Source"),
 * zero-width characters (U+200B–U+200D, U+2060, U+FEFF) hide inside names and words, and C0/C1
 * controls (U+0000–U+001F, U+007F, U+0080–U+009F) are no text at all. Every other Unicode format
 * character (\p{Cf}: the soft hyphen, invisible operators, tag characters) is refused too, except
 * the direction marks U+200E/U+200F/U+061C, which right-to-left names and text need and which
 * cannot reorder text the way overrides do. Tab,
 * newline and carriage return are text where a field takes several lines.
 */
const SINGLE_LINE =
  /[\u0000-\u001F\u007F-\u009F\u200B-\u200D\u2060\u202A-\u202E\u2066-\u2069\uFEFF]|(?![\u200E\u200F\u061C])\p{Cf}/u;
const MULTI_LINE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200D\u2060\u202A-\u202E\u2066-\u2069\uFEFF]|(?![\u200E\u200F\u061C])\p{Cf}/u;

export interface TextRules {
  /** Tab, newline and carriage return are allowed (a textarea). */
  multiline?: boolean;
}

/** The first invisible or control character in `value`, as "U+202E at position 7", or null. */
export function invisibleOrControl(value: string, rules: TextRules = {}): string | null {
  const match = (rules.multiline ? MULTI_LINE : SINGLE_LINE).exec(value);
  if (!match) return null;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
  return `U+${code} at position ${[...value.slice(0, match.index)].length + 1}`;
}

export function invisibleOrControlMessage(label: string, found: string): string {
  return `${label} contains invisible or control characters (${found}); remove them and type the text again.`;
}

/**
 * The shared refinement for free text: `z.string().superRefine(noInvisibleOrControl("Title"))`.
 * Refused, not stripped, so what is stored is what the person saw.
 */
export function noInvisibleOrControl(label: string, rules: TextRules = {}) {
  return (value: string, ctx: z.RefinementCtx) => {
    const found = invisibleOrControl(value, rules);
    if (found) ctx.addIssue({ code: "custom", message: invisibleOrControlMessage(label, found) });
  };
}
