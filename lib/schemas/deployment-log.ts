import { z } from "zod";
import {
  AUTOMATIC,
  decodeCursor,
  LOG_KINDS,
  parseInstant,
  RUN_OUTCOMES,
  type LogCursor,
  type LogFilter,
} from "@/lib/deploy/log";
import { humanize } from "@/lib/format/humanize";

// A GET form sends "" for "All"; a URL may repeat a key. Both mean the same as one value or none.
function single(value: unknown): unknown {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" && first.trim() === "" ? undefined : first;
}

const slug = (label: string) =>
  z
    .string()
    .trim()
    .max(64, `${label} names are at most 64 characters.`)
    .regex(/^[a-z0-9][a-z0-9-]*$/, `${label} must be a name such as "checkout".`);

/** A date alone means its midnight as "From", and the whole day (to 23:59, included) as "To". */
const instant = (label: string, dateAloneMeans: "start" | "end" = "start") =>
  z.string().transform((value, ctx) => {
    const dateAlone = /^\d{4}-\d{2}-\d{2}$/.test(value.trim());
    const parsed = parseInstant(dateAlone && dateAloneMeans === "end" ? `${value.trim()}T23:59` : value);
    if (!parsed) {
      ctx.addIssue({ code: "custom", message: `${label} must be a date and time such as 2026-12-04T10:30 (UTC).` });
      return z.NEVER;
    }
    return parsed;
  });

const cursor = (label: string) =>
  z.string().transform((value, ctx): LogCursor => {
    const parsed = decodeCursor(value);
    if (!parsed) {
      ctx.addIssue({
        code: "custom",
        message: `The ${label} page link is not valid; start again from the first page.`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** Each filter on its own, so one bad value can be reported and dropped while the rest still apply. */
export const deploymentLogFields = {
  service: z.preprocess(single, slug("Service").optional()),
  environment: z.preprocess(single, slug("Environment").optional()),
  kind: z.preprocess(single, z.enum(LOG_KINDS, { error: `Kind must be one of ${LOG_KINDS.join(", ")}.` }).optional()),
  outcome: z.preprocess(
    single,
    z.enum(RUN_OUTCOMES, { error: `Outcome must be one of ${RUN_OUTCOMES.map(humanize).join(", ")}.` }).optional(),
  ),
  person: z.preprocess(
    single,
    // A person's id, or "automatic" (which has the shape of an id too).
    z
      .string()
      .trim()
      .regex(/^[a-z0-9]{1,64}$/i, `Person must be someone from the list, or ${AUTOMATIC}.`)
      .optional(),
  ),
  from: z.preprocess(single, instant("From").optional()),
  to: z.preprocess(single, instant("To", "end").optional()),
  before: z.preprocess(single, cursor("older").optional()),
  after: z.preprocess(single, cursor("newer").optional()),
};

export const deploymentLogFilterSchema = z.object(deploymentLogFields).superRefine((f, ctx) => {
  if (f.from && f.to && f.from > f.to)
    ctx.addIssue({ code: "custom", path: ["to"], message: "To must be after From." });
  if (f.before && f.after)
    ctx.addIssue({ code: "custom", path: ["after"], message: "A page link is either older or newer, not both." });
});

export type DeploymentLogQuery = z.infer<typeof deploymentLogFilterSchema>;

export type SearchParamsInput = URLSearchParams | Record<string, string | string[] | undefined>;

function toRecord(input: SearchParamsInput): Record<string, string | string[] | undefined> {
  if (!(input instanceof URLSearchParams)) return input;
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(input.keys())) record[key] = input.getAll(key);
  return record;
}

export interface ParsedLogQuery {
  /** The filters and page that could be read (bad ones left out). */
  query: DeploymentLogQuery;
  /** One sentence per bad value; empty when everything was understood. */
  errors: string[];
}

/**
 * Reads the log's filters from a URL. Never throws: a bad value gives a sentence in `errors` and
 * is left out of `query`, so the page can say what it ignored and still show the log, and the
 * export route can answer 400 with the sentences.
 */
export function parseLogQuery(input: SearchParamsInput): ParsedLogQuery {
  const raw = toRecord(input);
  const whole = deploymentLogFilterSchema.safeParse(raw);
  if (whole.success) return { query: whole.data, errors: [] };
  const errors = whole.error.issues.map((issue) => issue.message);
  const query: DeploymentLogQuery = {};
  for (const key of Object.keys(deploymentLogFields) as (keyof typeof deploymentLogFields)[]) {
    const field = deploymentLogFields[key].safeParse(raw[key]);
    if (field.success && field.data !== undefined) Object.assign(query, { [key]: field.data });
  }
  // A reversed range or two cursors: the pair is ambiguous, so neither half applies.
  if (query.from && query.to && query.from > query.to) {
    delete query.from;
    delete query.to;
  }
  if (query.before && query.after) {
    delete query.before;
    delete query.after;
  }
  return { query, errors };
}

/** The filters alone (no page), as links and the export carry them. */
export function filterOf(query: DeploymentLogQuery): LogFilter {
  const { before: _before, after: _after, ...filter } = query;
  return filter;
}
