import type { z } from "zod";

/**
 * A zod error as a form shows it: the first message, and messages by field path ("links.0.url").
 * The server action and the browser's check of the same schema both answer with this, so a
 * field's error reads and lands the same wherever it was found.
 */
export function invalidInput(error: z.ZodError): {
  code: "INVALID";
  message: string;
  fieldErrors: Record<string, string[]>;
} {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return { code: "INVALID", message: error.issues[0]?.message ?? "Check the form.", fieldErrors };
}
