import { z } from "zod";
import { noInvisibleOrControl } from "@/lib/schemas/text";

const HTML_TAG = /<\/?[a-zA-Z!?][^>]*>/;

/**
 * Free text a person writes: trimmed, bounded, plain (no HTML), without invisible or control
 * characters (lib/schemas/text.ts); tabs and line breaks only where the field takes several lines.
 */
export function plainText(options: { label: string; min?: number; max: number; multiline?: boolean }) {
  const { label, min = 0, max, multiline = false } = options;
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .min(min, min <= 1 ? `${label} is required.` : `${label} needs at least ${min} characters.`)
    .max(max, `${label} can be at most ${max} characters.`)
    .refine((v) => !HTML_TAG.test(v), `${label} must be plain text; remove the HTML tags.`)
    .superRefine(noInvisibleOrControl(label, { multiline }));
}

/** A release revision as the page saw it: a positive PostgreSQL integer. */
export const revisionNumber = z
  .number({ error: "Revision must be a number." })
  .int("Revision must be a whole number.")
  .min(1, "Revision must be at least 1.")
  .max(2_147_483_647, "Not a revision of this release; reload the page.");

export const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+$/i, "Not a valid id.");

export const httpUrl = z
  .string()
  .trim()
  .max(2048, "Links can be at most 2048 characters.")
  // new URL() would percent-encode a bidi isolate and accept the link; people would read it reordered.
  .superRefine(noInvisibleOrControl("The link"))
  .refine((v) => {
    try {
      const url = new URL(v);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "Enter a full http:// or https:// address.");
