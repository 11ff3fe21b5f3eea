import { isIP } from "node:net";

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The address a sign-in came from, for its rate limit and its audit entry. Next puts the peer's
 * address in X-Forwarded-For when the request has none, and a reverse proxy appends the address
 * it saw, so the last entry is the nearest one anybody vouches for (entries further left are
 * whatever the client wrote). Anything that is not an IP address counts as "unknown": one shared
 * budget, so made-up values buy nothing.
 */
export function clientAddress(headers: HeaderBag): string {
  const forwarded = header(headers, "x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim() ?? header(headers, "x-real-ip")?.trim();
  if (!last) return "unknown";
  const address = last.toLowerCase().startsWith("::ffff:") ? last.slice("::ffff:".length) : last;
  return isIP(address) ? address.toLowerCase() : "unknown";
}
