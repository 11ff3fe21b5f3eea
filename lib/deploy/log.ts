/**
 * The deployment log's pure parts: the opaque page cursor, instants typed into the filter form,
 * durations, links that keep the filters, and the CSV record of an entry. No database here, so
 * the page, the export route and the tests share exactly these rules.
 */

/** How many entries one page of the log shows. */
export const LOG_PAGE_SIZE = 50;

export const LOG_KINDS = ["deploy", "rollback", "promote", "abort"] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export const RUN_OUTCOMES = ["QUEUED", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "ABORTED", "ROLLED_BACK"] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** The person filter's value for what Greenlight did by itself (a run with no requester). */
export const AUTOMATIC = "automatic";

/** A position in the log: entries are ordered by (at desc, id desc), ids unique across both tables. */
export interface LogCursor {
  at: Date;
  id: string;
}

const ID = /^[a-z0-9]{1,64}$/i;

/**
 * Opaque to people and links (base64url of "<ISO time>|<id>"), so the page can change what it
 * orders by later without old links meaning something else silently: they fail to decode instead.
 */
export function encodeCursor(cursor: LogCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

/** The cursor a link carries, or null when it was not made by encodeCursor. */
export function decodeCursor(value: string): LogCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  const text = Buffer.from(value, "base64url").toString("utf8");
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|(.+)$/.exec(text);
  if (!match || !ID.test(match[2])) return null;
  const at = new Date(match[1]);
  // Round-trips only for real instants (rejects 2026-02-30 and the like).
  if (Number.isNaN(at.getTime()) || at.toISOString() !== match[1]) return null;
  return { at, id: match[2] };
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An instant typed into the filter: what a datetime-local input sends ("2026-12-04T10:30", read
 * as UTC like every time the log shows), a date alone (its midnight, UTC), or a full ISO time with
 * a zone. Null for anything else, including impossible dates.
 */
export function parseInstant(value: string): Date | null {
  const match = INSTANT.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", ms = "0", zone = "Z"] = match;
  const year = Number(y);
  const fields = [Number(mo), Number(d), Number(h), Number(mi), Number(s)];
  const [month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(ms.padEnd(3, "0")));
  // Date.UTC rolls 31 April over into May; a typed date must exist as written.
  if (new Date(utc).getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const [oh, om] = zone.slice(1).split(":").map(Number);
    if (oh > 14 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return new Date(utc - offsetMinutes * 60_000);
}

/**
 * The exclusive upper bound for a "to" filter, which includes what it names: its whole minute as a
 * datetime-local input sends it ("10:30" keeps entries of 10:30:59), its whole second when seconds
 * are given.
 */
export function untilExclusive(to: Date): Date {
  const step = to.getUTCMilliseconds() ? 1 : to.getUTCSeconds() ? 1000 : 60_000;
  return new Date(to.getTime() + step);
}

/** The value a datetime-local input shows for an instant, in UTC ("2026-12-04T10:30"). */
export function toDatetimeLocal(value: Date): string {
  const iso = value.toISOString();
  return value.getUTCSeconds() || value.getUTCMilliseconds() ? iso.slice(0, 19) : iso.slice(0, 16);
}

/** Whole seconds from start to end; null while either is unknown (a run not started or not ended). */
export function durationSeconds(start: Date | null, end: Date | null): number | null {
  if (!start || !end) return null;
  return Math.max(0, Math.round((end.getTime() - start.getTime()) / 1000));
}

/** "42 s", "3 min 5 s", "1 h 2 min": short enough for a table cell. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** The filters as they travel in a URL (every one optional). */
export interface LogFilter {
  service?: string;
  environment?: string;
  kind?: LogKind;
  outcome?: RunOutcome;
  person?: string;
  from?: Date;
  to?: Date;
}

/** The filters as URL search params, in a stable order, leaving out what is not set. */
export function filterParams(filter: LogFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.service) params.set("service", filter.service);
  if (filter.environment) params.set("environment", filter.environment);
  if (filter.kind) params.set("kind", filter.kind);
  if (filter.outcome) params.set("outcome", filter.outcome);
  if (filter.person) params.set("person", filter.person);
  if (filter.from) params.set("from", toDatetimeLocal(filter.from));
  if (filter.to) params.set("to", toDatetimeLocal(filter.to));
  return params;
}

/** A page of the log: the first (no cursor), or the one older / newer than an entry. */
export function logHref(filter: LogFilter, page?: { before: LogCursor } | { after: LogCursor }): string {
  const params = filterParams(filter);
  if (page && "before" in page) params.set("before", encodeCursor(page.before));
  if (page && "after" in page) params.set("after", encodeCursor(page.after));
  return `/deployments${params.size ? `?${params}` : ""}`;
}

/** The CSV export of the same filters (every page, not just this one). */
export function exportHref(filter: LogFilter): string {
  const params = filterParams(filter);
  return `/api/deployments/export${params.size ? `?${params}` : ""}`;
}

/** What one log entry says, as both the page and the export read it. */
export interface LogEntry {
  /** A run, or a person's promote/abort of a run (a run control). */
  source: "run" | "control";
  /** The run's id or the control's id: unique across both. */
  id: string;
  /** The run the entry is about (its permalink). */
  runId: string;
  kind: LogKind;
  /** When the run was requested, or when the person asked for the promote/abort. */
  at: Date;
  /** The run's status: for a promote/abort, the run it acted on. */
  status: RunOutcome;
  service: { name: string; displayName: string };
  environment: { name: string; displayName: string };
  strategy: "ROLLING" | "BLUE_GREEN" | "CANARY";
  fromImage: string | null;
  toImage: string | null;
  /** Null: Greenlight itself (an automatic rollback). */
  requestedBy: { id: string; name: string } | null;
  /** Approved, not withdrawn sign-offs of the release revision the run deployed. */
  approvers: { name: string; role: string }[];
  release: { id: string; number: number; revision: number | null } | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  reason: string | null;
  outcome: string | null;
  dryRun: boolean;
}

export const LOG_CSV_HEADER = [
  "entry_id",
  "run_id",
  "kind",
  "requested_at",
  "service",
  "environment",
  "from_image",
  "to_image",
  "strategy",
  "requested_by",
  "approved_by",
  "release",
  "started_at",
  "finished_at",
  "duration_seconds",
  "status",
  "reason",
  "outcome",
] as const;

function iso(value: Date | null): string {
  return value ? value.toISOString() : "";
}

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return first) is
 * prefixed with an apostrophe: rollback reasons and names are typed by people, and leadership opens
 * this file in Excel (OWASP's advice on CSV injection).
 */
export function spreadsheetSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One CSV record, in LOG_CSV_HEADER's order: times in UTC ISO 8601, durations in seconds. */
export function logCsvRecord(entry: LogEntry): string[] {
  return logCsvCells(entry).map(spreadsheetSafe);
}

function logCsvCells(entry: LogEntry): string[] {
  return [
    entry.id,
    entry.runId,
    entry.kind,
    iso(entry.at),
    entry.service.name,
    entry.environment.name,
    entry.fromImage ?? "",
    entry.toImage ?? "",
    entry.strategy,
    entry.requestedBy?.name ?? "Greenlight (automatic)",
    entry.approvers.map((a) => `${a.name} (${a.role})`).join("; "),
    entry.release ? `R-${entry.release.number}${entry.release.revision ? ` rev ${entry.release.revision}` : ""}` : "",
    iso(entry.startedAt),
    iso(entry.finishedAt),
    String(durationSeconds(entry.startedAt, entry.finishedAt) ?? ""),
    entry.status,
    entry.reason ?? "",
    entry.outcome ?? "",
  ];
}

/** A file name that says what is in it: "deployment-log-20261204T103000Z.csv". */
export function exportFileName(now: Date): string {
  return `deployment-log-${now.toISOString().slice(0, 19).replaceAll(/[-:]/g, "")}Z.csv`;
}
