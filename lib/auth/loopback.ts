/** Whether a host (a listening address or a URL's host) is reachable only from this machine. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice("::ffff:".length) : h;
  return /^127(\.\d{1,3}){3}$/.test(v4);
}
