/**
 * The path (with query and hash) to send someone to after sign-in, only when it stays on this
 * site; anything else ("//evil.example", "/\\evil.example", "https://…") becomes "/".
 */
export function safeCallbackPath(callbackUrl: string | undefined | null, origin = "http://greenlight.invalid"): string {
  if (!callbackUrl || !callbackUrl.startsWith("/")) return "/";
  try {
    const base = new URL(origin);
    const url = new URL(callbackUrl, base);
    if (url.origin !== base.origin) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
