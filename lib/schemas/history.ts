import { z } from "zod";

/** The period presets of the History page, in days. */
export const HISTORY_RANGES = ["7d", "30d", "90d"] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];
export const DEFAULT_RANGE: HistoryRange = "30d";
export const HISTORY_PAGE_SIZE = 50;

const DAY_MS = 86_400_000;
/** The longest custom period (the previous period doubles what is read). */
export const MAX_PERIOD_DAYS = 366;

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

const day = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} must be a date such as 2026-11-01.`)
    .refine(
      (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      {
        message: `${label} must be a real date.`,
      },
    );

export interface ReleaseCursor {
  createdAt: Date;
  id: string;
}

export function encodeReleaseCursor(cursor: ReleaseCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString("base64url");
}

export function decodeReleaseCursor(value: string): ReleaseCursor | null {
  const text = Buffer.from(value, "base64url").toString();
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([a-z0-9]{1,64})$/i.exec(text);
  if (!match) return null;
  const createdAt = new Date(match[1]);
  // The shape alone lets month 13 or 2026-02-30 through as an Invalid Date (Prisma then throws):
  // only an instant that round-trips is a cursor.
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== match[1]) return null;
  return { createdAt, id: match[2] };
}

export const historyFields = {
  range: z.preprocess(single, z.enum(HISTORY_RANGES, { error: "Period must be 7, 30 or 90 days." }).optional()),
  from: z.preprocess(single, day("From").optional()),
  to: z.preprocess(single, day("To").optional()),
  service: z.preprocess(single, slug("Service").optional()),
  environment: z.preprocess(single, slug("Environment").optional()),
  cursor: z.preprocess(
    single,
    z
      .string()
      .max(200, "The page link is not valid; start again from the first page.")
      .transform((value, ctx) => {
        const parsed = decodeReleaseCursor(value);
        if (!parsed) {
          ctx.addIssue({ code: "custom", message: "The page link is not valid; start again from the first page." });
          return z.NEVER;
        }
        return parsed;
      })
      .optional(),
  ),
};

export const historyQuerySchema = z.object(historyFields).superRefine((q, ctx) => {
  if ((q.from && !q.to) || (!q.from && q.to))
    ctx.addIssue({ code: "custom", path: ["to"], message: "Give both From and To, or pick a preset period." });
  if (q.from && q.to && q.from > q.to)
    ctx.addIssue({ code: "custom", path: ["to"], message: "To must not be before From." });
  if (q.from && q.to && (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS + 1 > MAX_PERIOD_DAYS)
    ctx.addIssue({ code: "custom", path: ["to"], message: `A period is at most ${MAX_PERIOD_DAYS} days.` });
});

export type HistoryQuery = z.infer<typeof historyQuerySchema>;

export interface HistoryPeriod {
  from: Date;
  to: Date;
  /** "Last 30 days" or "2026-11-01 – 2026-11-30 (UTC)". */
  label: string;
  /** The preset in force, or null for a custom period. */
  range: HistoryRange | null;
}

export interface ParsedHistoryQuery {
  period: HistoryPeriod;
  service?: string;
  environment?: string;
  cursor?: ReleaseCursor;
  /** One sentence per value that was not understood (and left out). */
  errors: string[];
}

/**
 * The period: a preset ends now; custom dates are whole UTC days, `to` included, so the period is
 * [from 00:00, the day after to 00:00).
 */
export function periodOf(query: Pick<HistoryQuery, "range" | "from" | "to">, now: Date): HistoryPeriod {
  if (query.from && query.to) {
    return {
      from: new Date(`${query.from}T00:00:00Z`),
      to: new Date(Date.parse(`${query.to}T00:00:00Z`) + DAY_MS),
      label: `${query.from} – ${query.to} (UTC)`,
      range: null,
    };
  }
  const range = query.range ?? DEFAULT_RANGE;
  const days = Number(range.replace("d", ""));
  return { from: new Date(now.getTime() - days * DAY_MS), to: now, label: `Last ${days} days`, range };
}

type Raw = Record<string, string | string[] | undefined>;

/** Reads the History page's URL; never throws: bad values become sentences and are left out. */
export function parseHistoryQuery(input: URLSearchParams | Raw, now: Date): ParsedHistoryQuery {
  const raw: Raw = input instanceof URLSearchParams ? Object.fromEntries(input.entries()) : input;
  const whole = historyQuerySchema.safeParse(raw);
  let query: HistoryQuery;
  const errors: string[] = [];
  if (whole.success) query = whole.data;
  else {
    errors.push(...whole.error.issues.map((i) => i.message));
    query = {};
    for (const key of Object.keys(historyFields) as (keyof typeof historyFields)[]) {
      const field = historyFields[key].safeParse(raw[key]);
      if (field.success && field.data !== undefined) Object.assign(query, { [key]: field.data });
    }
    // A half or reversed custom period is ambiguous: the preset applies instead.
    if (!historyQuerySchema.safeParse({ from: query.from, to: query.to }).success) {
      delete query.from;
      delete query.to;
    }
  }
  return {
    period: periodOf(query, now),
    service: query.service,
    environment: query.environment,
    cursor: query.cursor,
    errors,
  };
}

/** The URL of the History page (or its export) with these settings. */
export function historyHref(
  base: string,
  settings: {
    range?: HistoryRange | null;
    from?: string;
    to?: string;
    service?: string;
    environment?: string;
    cursor?: string;
  },
): string {
  const params = new URLSearchParams();
  if (settings.from && settings.to) {
    params.set("from", settings.from);
    params.set("to", settings.to);
  } else if (settings.range && settings.range !== DEFAULT_RANGE) params.set("range", settings.range);
  if (settings.service) params.set("service", settings.service);
  if (settings.environment) params.set("environment", settings.environment);
  if (settings.cursor) params.set("cursor", settings.cursor);
  return `${base}${params.size ? `?${params}` : ""}`;
}
