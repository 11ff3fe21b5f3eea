/**
 * Redaction of secret-looking values in what the deploy engine records (step requests and the
 * cluster's answers: patches, pod templates, Status bodies). Pure: no I/O, safe on either side.
 *
 * A pod template's `env` entries carry configuration in clear text; people put database passwords
 * and API tokens there even though Secrets exist. Run events are read by many more people than
 * the cluster, so such values must not reach the database or a page.
 */

export const REDACTED = "[redacted]";

// Names people give credentials. Over-matching (AUTHOR_NAME) costs a hidden harmless value;
// under-matching leaks a secret, so the list leans wide.
const SECRET_NAME =
  /(SECRET|PASSWORD|PASSWD|PASSPHRASE|PASS$|_PASS_|PWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH|SESSION_?KEY|SIGNING_?KEY|ENCRYPTION_?KEY|(^|_)KEY$|(^|_)DSN$|COOKIE|SALT)/i;

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
// scheme://user:password@host — the password part only; user and host help reading the event.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):([^\s/@]+)@/gi;
const JWT = /^eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/;
const HEX_BLOB = /^[A-Fa-f0-9]{32,}$/;
const BASE64_BLOB = /^[A-Za-z0-9+/_-]{32,}={0,2}$/;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A value that is a credential whatever its name: a long random-looking blob (hex, base64, a
 * JWT) or a private key. Base64 must mix upper, lower and digits, which random bytes always do and
 * paths or words do not.
 */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(v)) return true;
  if (JWT.test(v)) return true;
  if (HEX_BLOB.test(v) && /[0-9]/.test(v) && /[a-f]/i.test(v)) return true;
  return BASE64_BLOB.test(v) && /[A-Z]/.test(v) && /[a-z]/.test(v) && /[0-9]/.test(v);
}

/**
 * Credentials embedded in any string: a URL's password and PEM private keys. Everything else of
 * the string stays, so `postgres://app:[redacted]@db:5432/shop` still says where it points.
 */
export function redactString(value: string): string {
  return value.replace(PEM_PRIVATE_KEY, REDACTED).replace(URL_PASSWORD, `$1:${REDACTED}@`);
}

/** One env entry's value: hidden when its name or its shape says it is a credential. */
export function redactEnvValue(name: string, value: string): string {
  if (value === "") return value;
  if (isSecretName(name) || looksLikeCredential(value)) return REDACTED;
  return redactString(value);
}

function isEnvEntry(item: unknown): item is { name: string; value: string } {
  return (
    typeof item === "object" &&
    item !== null &&
    typeof (item as { name?: unknown }).name === "string" &&
    typeof (item as { value?: unknown }).value === "string"
  );
}

// kubectl keeps the whole applied object, env included, as JSON text in this annotation.
const JSON_TEXT_KEYS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/**
 * A copy of `value` with secret-looking values replaced by "[redacted]":
 * - `env` arrays (a container's, or a strategic-merge patch's): each `{ name, value }` entry whose
 *   name looks like a credential's, or whose value does; `valueFrom` references are kept, they
 *   carry no value;
 * - JSON Patch operations writing into an env entry (`…/env/3/value`, `…/env/-`): by shape only,
 *   since the name is elsewhere;
 * - any string: a URL's password, a PEM private key;
 * - kubectl's last-applied-configuration annotation, redacted as the JSON it holds.
 * Meant for JSON values (what run events hold); other objects are walked by their own keys.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (typeof value === "string") {
    if (key !== undefined && JSON_TEXT_KEYS.has(key)) return redactJsonText(value);
    return redactString(value);
  }
  if (Array.isArray(value)) {
    if (key === "env")
      return value.map((item) =>
        isEnvEntry(item)
          ? { ...walkObject(item), value: redactEnvValue(item.name, item.value) }
          : walk(item, undefined),
      );
    return value.map((item) => walk(item, undefined));
  }
  if (typeof value === "object" && value !== null) {
    if (isEnvPatchOperation(value)) return { ...walkObject(value), value: redactPatchValue(value.value) };
    return walkObject(value);
  }
  return value;
}

function walkObject(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
  return out;
}

function redactJsonText(text: string): string {
  try {
    return JSON.stringify(walk(JSON.parse(text), undefined));
  } catch {
    return redactString(text);
  }
}

function isEnvPatchOperation(value: object): value is { op: string; path: string; value: unknown } {
  const v = value as { op?: unknown; path?: unknown };
  return typeof v.op === "string" && typeof v.path === "string" && /\/env(\/|$)/.test(v.path) && "value" in value;
}

function redactPatchValue(value: unknown): unknown {
  // A string written under .../env/N/value is an env value whatever it looks like ("hunter2").
  if (typeof value === "string") return REDACTED;
  if (isEnvEntry(value)) return { ...walkObject(value), value: redactEnvValue(value.name, value.value) };
  return walk(value, "env");
}
