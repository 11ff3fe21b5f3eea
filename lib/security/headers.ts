/**
 * The security headers, as pure functions of the request's nonce and the configuration. proxy.ts
 * sets the Content-Security-Policy (pages) and HSTS (pages and API) per request; the ones that
 * never change (STATIC_SECURITY_HEADERS) are in next.config.js, so static files carry them too.
 */

export interface CspOptions {
  /** A fresh value per request (base64); Next puts it on its own scripts. */
  nonce: string;
  /** `next dev`: React's development build needs eval (its stack reconstruction). */
  dev: boolean;
  /** The app is served over https: mixed-content upgrades are safe to ask for. */
  https: boolean;
}

/**
 * Scripts: only those carrying this request's nonce, and what they load ('strict-dynamic' lets
 * Next's bundles load their chunks); no 'unsafe-inline', so an injected <script> or onclick= never
 * runs. 'self' is ignored by browsers honouring 'strict-dynamic' and kept for older ones.
 *
 * Styles allow 'unsafe-inline', deliberately, and without a nonce (a nonce would make browsers
 * ignore 'unsafe-inline'): server-rendered style="…" attributes (recharts' chart sizes and
 * positions, Radix's dialogs, next-themes' color-scheme) are not covered by nonces at all, and
 * sonner's toasts inject a <style> element with no way to give it a nonce. Inline CSS cannot run
 * script; what it could do, leak page content through url(…) loads, is shut off by img-src,
 * font-src and connect-src allowing only this origin.
 */
export function contentSecurityPolicy({ nonce, dev, https }: CspOptions): string {
  const directives: string[] = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    // fetch and EventSource (the run stream) go to this origin only.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** A nonce: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/** Two years, subdomains included: what hstspreload.org asks for. */
export const HSTS = "max-age=63072000; includeSubDomains";

/**
 * HSTS in production, or whenever the public URL is https. Browsers ignore the header on plain
 * http, so sending it behind a TLS-terminating proxy (http inside, https outside) is right.
 */
export function wantsHsts(config: { NODE_ENV: string; APP_URL?: string | undefined }): boolean {
  return config.NODE_ENV === "production" || Boolean(config.APP_URL?.startsWith("https://"));
}

/**
 * The headers that never vary per request; next.config.js sets exactly these on every path (a
 * unit test holds the two together). Frames are refused twice: frame-ancestors for today's
 * browsers, X-Frame-Options for older ones. No referrer leaves the site (run and release URLs
 * name services and incidents).
 */
export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  {
    key: "Permissions-Policy",
    value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
  },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];
