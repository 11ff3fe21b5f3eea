/**
 * A real OpenID provider for the e2e suite: panva's oidc-provider (an OpenID-certified
 * implementation) on 127.0.0.1, with the people of ./accounts.ts in memory, the app registered as
 * a client, and a minimal login form Chromium fills in. playwright.config.ts starts it beside the app.
 *
 *   E2E_OIDC_PORT   where it listens (default 9496)
 *   E2E_APP_URL     the app under test, for its redirect URI
 *   E2E_OIDC_RUN    the run's tag (see ./accounts.ts)
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import Provider, { type Configuration } from "oidc-provider";
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, runTag, testAccounts, type TestAccount } from "./accounts";

const port = Number(process.env.E2E_OIDC_PORT ?? 9496);
const appUrl = process.env.E2E_APP_URL ?? "http://127.0.0.1:3100";
const issuer = `http://127.0.0.1:${port}`;
const accounts = new Map<string, TestAccount>(Object.values(testAccounts(runTag())).map((a) => [a.username, a]));

// A signing key of its own each start; the app reads it from the provider's JWKS.
const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

const configuration: Configuration = {
  clients: [
    {
      client_id: OIDC_CLIENT_ID,
      client_secret: OIDC_CLIENT_SECRET,
      redirect_uris: [`${appUrl}/api/auth/callback/oidc`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [{ ...signingKey, use: "sig", alg: "RS256", kid: "e2e" }] },
  cookies: { keys: [randomBytes(32).toString("base64url")] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
  },
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: account.email,
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
          name: account.name,
          preferred_username: account.username,
        };
      },
    };
  },
  // The app is this provider's only, first-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
    if (grantId) return Grant.find(grantId);
    const grant = new Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
  // Our own login form below replaces the library's development-only pages.
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
};

const provider = new Provider(issuer, configuration);

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function loginPage(uid: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test provider: sign in</title></head>
<body>
  <h1>Test provider</h1>
  ${error ? `<p role="alert">${escape(error)}</p>` : ""}
  <form method="post" action="/interaction/${escape(uid)}">
    <label for="username">Username</label>
    <input id="username" name="username" autocomplete="username" required autofocus>
    <button type="submit">Log in to the test provider</button>
  </form>
</body></html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req: http.IncomingMessage, res: http.ServerResponse, uid: string) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error("interaction does not match its cookie");
  if (details.prompt.name !== "login") throw new Error(`unexpected prompt ${details.prompt.name}`);
  if (req.method === "POST") {
    const username = (await readForm(req)).get("username")?.trim() ?? "";
    if (accounts.has(username)) {
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: username } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    res.writeHead(401, { "content-type": "text/html; charset=utf-8" });
    res.end(loginPage(uid, `No test account is called "${username}".`));
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(loginPage(uid));
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url ?? "/", issuer).pathname);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(req, res, match[1]).catch((error: unknown) => {
    process.stderr.write(`[oidc] interaction failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain" });
    res.end(error instanceof Error ? error.message : String(error));
  });
});

server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`[oidc] test provider at ${issuer} (client ${OIDC_CLIENT_ID}, redirect ${appUrl})\n`);
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
