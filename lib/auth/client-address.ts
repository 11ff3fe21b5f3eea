import { isIP } from "node:net";

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The address a sign-in came from, for its rate limit and its audit entry. A reverse proxy appends
 * the address it saw to X-Forwarded-For, so behind one the last entry is the client's (entries
 * further left are whatever the client wrote). Served directly, Next fills the header with the
 * peer's address only when the request has none (`??=` in its base server), and route handlers
 * cannot see the socket: a client sending its own header then picks this value, and only the
 * per-account limit holds (README, Sign-in). Anything that is not an IP address counts as
 * "unknown": one shared budget, so made-up values buy nothing.
 */
export function clientAddress(headers: HeaderBag): string {
  const forwarded = header(headers, "x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim() ?? header(headers, "x-real-ip")?.trim();
  if (!last) return "unknown";
  const address = last.toLowerCase().startsWith("::ffff:") ? last.slice("::ffff:".length) : last;
  return isIP(address) ? address.toLowerCase() : "unknown";
}
