import { z } from "zod";

const HTML_TAG = /<\/?[a-zA-Z!?][^>]*>/;
// Control characters other than tab and newlines have no place in what people type.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Free text a person writes: trimmed, bounded, plain (no HTML), no control characters. */
export function plainText(options: { label: string; min?: number; max: number }) {
  const { label, min = 0, max } = options;
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .min(min, min <= 1 ? `${label} is required.` : `${label} needs at least ${min} characters.`)
    .max(max, `${label} can be at most ${max} characters.`)
    .refine((v) => !HTML_TAG.test(v), `${label} must be plain text; remove the HTML tags.`)
    .refine((v) => !CONTROL.test(v), `${label} contains control characters.`);
}

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
  .refine((v) => {
    try {
      const url = new URL(v);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "Enter a full http:// or https:// address.");
