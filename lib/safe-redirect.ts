/**
 * The path (with query and hash) to send someone to after sign-in, only when it stays on this
 * site; anything else ("//evil.example", "/\\evil.example", "/.//evil.example", "https://…")
 * becomes "/".
 */
export function safeCallbackPath(callbackUrl: string | undefined | null, origin = "http://greenlight.invalid"): string {
  if (!callbackUrl || !callbackUrl.startsWith("/")) return "/";
  try {
    const base = new URL(origin);
    const url = new URL(callbackUrl, base);
    if (url.origin !== base.origin) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    // The parser resolves dot-segments, drops tabs and newlines and reads "\" as "/", so the path
    // it hands back can start with "//" ("/.//evil.example"): a browser reads that as another host.
    if (isHostRelative(path)) return "/";
    // What the browser does with the answer must land here too.
    if (new URL(path, base).origin !== base.origin) return "/";
    return path;
  } catch {
    return "/";
  }
}

function isHostRelative(path: string): boolean {
  return !path.startsWith("/") || path[1] === "/" || path[1] === "\\";
}
