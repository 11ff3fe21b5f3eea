import type { z } from "zod";

/*
 * What a server action says about input its schema refuses where the schema wrote no message of
 * its own: zod's defaults ("Invalid input: expected string, received undefined") are written for
 * programmers. A form never sends such input, but a hand-made request can, and the answer must
 * still be a sentence. Schemas' own messages always win (zod puts them first).
 */

/** "releaseId" → "Release id", from the last named segment of the path ("links.0.url" → "Url"). */
export function fieldLabel(path: readonly PropertyKey[] | undefined): string | null {
  const name = (path ?? []).filter((p): p is string => typeof p === "string").at(-1);
  if (!name) return null;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : null;
}

const KINDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "yes or no",
  array: "a list",
  object: "a set of fields",
  date: "a date",
};

export const MALFORMED_REQUEST = "This request is not in the form Greenlight expects; reload the page and try again.";

type Issue = z.core.$ZodRawIssue;

/** A sentence for one zod issue; pass as `safeParse(input, { error: issueMessage })`. */
export function issueMessage(issue: Issue): string {
  const label = fieldLabel(issue.path);
  if (!label) return MALFORMED_REQUEST;
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return `${label} is required.`;
      const kind = KINDS[String(issue.expected)];
      return kind ? `${label} must be ${kind}.` : `${label} is not valid.`;
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string")
        return min <= 1 ? `${label} is required.` : `${label} needs at least ${min} characters.`;
      if (issue.origin === "array" || issue.origin === "set")
        return `${label} needs at least ${min} item${min === 1 ? "" : "s"}.`;
      return issue.inclusive === false ? `${label} must be more than ${min}.` : `${label} must be at least ${min}.`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return `${label} can be at most ${max} characters.`;
      if (issue.origin === "array" || issue.origin === "set")
        return `${label} can have at most ${max} item${max === 1 ? "" : "s"}.`;
      return issue.inclusive === false ? `${label} must be less than ${max}.` : `${label} must be at most ${max}.`;
    }
    case "invalid_value": {
      const values = issue.values.filter((v) => v !== "" && v !== undefined && v !== null);
      return values.length > 0 && values.length <= 10
        ? `${label} must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}.`
        : `${label} is not one of the choices.`;
    }
    case "invalid_format":
      return `${label} is not in the expected format.`;
    case "unrecognized_keys":
      return MALFORMED_REQUEST;
    default:
      return `${label} is not valid.`;
  }
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The path of the first string holding half of a surrogate pair ("comment", "links.0.label"), or
 * null. Such a string is not Unicode: PostgreSQL refuses it, so it must be refused before any
 * write rather than fail inside one. "" is the input itself.
 */
export function brokenTextPath(input: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof input === "string") return LONE_SURROGATE.test(input) ? path.join(".") : null;
  if (depth > 20 || input === null || typeof input !== "object") return null;
  const entries = Array.isArray(input)
    ? input.map((v, i) => [String(i), v] as const)
    : input instanceof Map || input instanceof Set || input instanceof Date
      ? []
      : Object.entries(input as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (LONE_SURROGATE.test(key)) return [...path, key].join(".");
    const found = brokenTextPath(value, [...path, key], depth + 1);
    if (found !== null) return found;
  }
  return null;
}

export const BROKEN_TEXT_MESSAGE =
  "Some text holds a broken character (half of an emoji or symbol); retype it and try again.";
