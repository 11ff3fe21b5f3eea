import { describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/auth/client-address";

describe("the address a sign-in came from", () => {
  it.each<[Record<string, string | undefined>, string]>([
    [{ "x-forwarded-for": "203.0.113.5" }, "203.0.113.5"],
    // What the client wrote comes first; the proxy (or Next) appends what it saw.
    [{ "x-forwarded-for": "1.2.3.4, 198.51.100.7" }, "198.51.100.7"],
    [{ "x-forwarded-for": "::ffff:127.0.0.1" }, "127.0.0.1"],
    [{ "x-forwarded-for": "2001:DB8::1" }, "2001:db8::1"],
    [{ "x-real-ip": "192.0.2.1" }, "192.0.2.1"],
    [{ "x-forwarded-for": "not-an-address" }, "unknown"],
    [{}, "unknown"],
  ])("%j → %s", (headers, address) => {
    expect(clientAddress(headers)).toBe(address);
  });

  it("reads a Headers object too", () => {
    expect(clientAddress(new Headers({ "X-Forwarded-For": "192.0.2.9" }))).toBe("192.0.2.9");
  });
});
