import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { contentSecurityPolicy, createNonce, HSTS, wantsHsts } from "@/lib/security/headers";
import { currentRequestId, REQUEST_ID_HEADER } from "@/lib/telemetry/request-context";

/**
 * Security headers per request (Next 16's proxy, formerly middleware). Pages get a
 * Content-Security-Policy with a fresh nonce: Next reads the nonce from the request's
 * Content-Security-Policy header and puts it on its own scripts, and the root layout hands the
 * `x-nonce` request header to next-themes' inline script. Every answer, API included, gets HSTS
 * where wanted (lib/security/headers.ts says when).
 */
export function proxy(request: NextRequest) {
  const config = env();
  const hsts = wantsHsts(config);
  // The request's id, as its log lines carry it: someone reporting a failure can quote it.
  const requestId = currentRequestId();
  if (request.nextUrl.pathname.startsWith("/api/")) {
    const response = NextResponse.next();
    if (hsts) response.headers.set("Strict-Transport-Security", HSTS);
    if (requestId) response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  }

  const nonce = createNonce();
  const csp = contentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === "development",
    https: request.nextUrl.protocol === "https:" || Boolean(config.APP_URL?.startsWith("https://")),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  if (hsts) response.headers.set("Strict-Transport-Security", HSTS);
  if (requestId) response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  matcher: [
    {
      // Not the build's static files (hashed, no HTML). Prefetches render no HTML of their own,
      // so they need no nonce.
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
