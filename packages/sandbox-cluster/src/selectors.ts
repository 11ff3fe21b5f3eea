/**
 * Label and field selectors, with the syntax of k8s.io/apimachinery/pkg/labels:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated (AND).
 */
import { ApiError } from "./status";
import type { KubeObject, LabelSelector } from "./types";

export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export type Labels = Record<string, string> | undefined;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += char;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

export function parseLabelSelector(selector: string): Requirement[] {
  return splitTerms(selector).map((term) => {
    const setMatch = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (setMatch) {
      const values = setMatch[3]
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      return { key: setMatch[1], op: setMatch[2] as "in" | "notin", values };
    }
    const eqMatch = /^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/.exec(term);
    if (eqMatch) return { key: eqMatch[1], op: eqMatch[2] === "!=" ? "!=" : "=", value: eqMatch[3] };
    const notExists = /^!\s*([A-Za-z0-9_./-]+)$/.exec(term);
    if (notExists) return { key: notExists[1], op: "!exists" };
    if (/^[A-Za-z0-9_./-]+$/.test(term)) return { key: term, op: "exists" };
    throw new ApiError(400, "BadRequest", `unable to parse requirement: invalid label selector: "${term}"`);
  });
}

export function matchesRequirements(requirements: Requirement[], labels: Labels): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case "=":
        return has && l[r.key] === r.value;
      case "!=":
        return !has || l[r.key] !== r.value;
      case "in":
        return has && r.values.includes(l[r.key]);
      case "notin":
        return !has || !r.values.includes(l[r.key]);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** metav1.LabelSelector (matchLabels + matchExpressions) to requirements. */
export function requirementsFromSelector(selector: LabelSelector | undefined): Requirement[] {
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) out.push({ key, op: "=", value });
  for (const expr of selector?.matchExpressions ?? []) {
    switch (expr.operator) {
      case "In":
        out.push({ key: expr.key, op: "in", values: expr.values ?? [] });
        break;
      case "NotIn":
        out.push({ key: expr.key, op: "notin", values: expr.values ?? [] });
        break;
      case "Exists":
        out.push({ key: expr.key, op: "exists" });
        break;
      case "DoesNotExist":
        out.push({ key: expr.key, op: "!exists" });
        break;
    }
  }
  return out;
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  const reqs = requirementsFromSelector(selector);
  // An empty LabelSelector matches everything; controllers guard against that themselves.
  return matchesRequirements(reqs, labels);
}

/** kubectl passes a deployment's selector back as a string (e.g. rollout undo). */
export function selectorToString(selector: LabelSelector | undefined): string {
  return requirementsFromSelector(selector)
    .map((r) => {
      switch (r.op) {
        case "=":
        case "!=":
          return `${r.key}${r.op}${r.value}`;
        case "in":
        case "notin":
          return `${r.key} ${r.op} (${r.values.join(",")})`;
        case "exists":
          return r.key;
        case "!exists":
          return `!${r.key}`;
      }
    })
    .join(",");
}

/** Field selectors: the API server supports `metadata.name` and `metadata.namespace` on every resource. */
export function parseFieldSelector(selector: string): (obj: KubeObject) => boolean {
  const tests = splitTerms(selector).map((term) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new ApiError(400, "BadRequest", `invalid field selector: "${term}"`);
    const [, field, op, value] = m;
    const read = fieldReader(field);
    return (obj: KubeObject) => (op === "!=" ? read(obj) !== value : read(obj) === value);
  });
  return (obj) => tests.every((t) => t(obj));
}

function fieldReader(field: string): (obj: KubeObject) => string {
  switch (field) {
    case "metadata.name":
      return (o) => o.metadata.name;
    case "metadata.namespace":
      return (o) => o.metadata.namespace ?? "";
    case "status.phase":
      return (o) => String(o.status?.phase ?? "");
    case "spec.nodeName":
      return (o) => String(o.spec?.nodeName ?? "");
    default:
      throw new ApiError(400, "BadRequest", `field label not supported: ${field}`);
  }
}
