/**
 * `npm run api-token -- …`: makes, lists and revokes API tokens from a shell with database
 * access, acting as a named person through lib/api-tokens (the same checks and audit entries as
 * anywhere else: a service token only by an admin, scopes only within the person's roles).
 *
 *   npm run api-token -- create --as admin@example.com --name "CI checkout" --service \
 *     --scopes dashboard:read,release:create,release:deploy --environments staging --days 90
 *
 * The secret is printed once, alone on stdout. DATABASE_URL is the database; unset, the embedded
 * one `npm start` runs (127.0.0.1, EMBEDDED_PG_PORT, default 54329) — start the app first.
 */
import { defineCommand, runMain } from "citty";

const who = { as: { type: "string", description: "Email of the person acting", required: true } } as const;

function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const port = process.env.EMBEDDED_PG_PORT ?? "54329";
  return `postgresql://greenlight:greenlight@127.0.0.1:${port}/greenlight`;
}

/** lib/ reads DATABASE_URL when first used, so everything from lib/ is imported after this. */
async function app() {
  process.env.DATABASE_URL = databaseUrl();
  const [{ db }, store, schemas, { loadUser }, { can }] = await Promise.all([
    import("@/lib/db"),
    import("@/lib/api-tokens/store"),
    import("@/lib/schemas/api-tokens"),
    import("@/lib/auth/current-user"),
    import("@/lib/rbac"),
  ]);
  return { db, store, schemas, loadUser, can };
}

type App = Awaited<ReturnType<typeof app>>;

async function actingAs(lib: App, email: string) {
  const person = await lib.db.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { id: true } });
  const user = person ? await lib.loadUser(person.id) : null;
  if (!user) throw new Error(`No active person with the email ${email}.`);
  return user;
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

async function finish(work: (lib: App) => Promise<void>): Promise<never> {
  let code = 0;
  let lib: App | undefined;
  try {
    lib = await app();
    await work(lib);
  } catch (error) {
    const fields =
      error && typeof error === "object" && "fieldErrors" in error && error.fieldErrors
        ? ` (${Object.values(error.fieldErrors as Record<string, string[]>)
            .flat()
            .join(" ")})`
        : "";
    process.stderr.write(`api-token: ${error instanceof Error ? error.message : String(error)}${fields}\n`);
    code = 1;
  } finally {
    await lib?.db.$disconnect();
  }
  process.exit(code);
}

const create = defineCommand({
  meta: { name: "create", description: "Make a token; prints its secret once" },
  args: {
    ...who,
    name: { type: "string", description: "What it is for, e.g. CI checkout", required: true },
    service: { type: "boolean", description: "A service token (admins only) instead of a personal one" },
    scopes: { type: "string", description: "Comma-separated permissions from lib/rbac.ts", required: true },
    environments: { type: "string", description: "Comma-separated environment names (default: all)" },
    days: { type: "string", description: "Days until it expires (1-365, default 90)", default: "90" },
  },
  run: ({ args }) =>
    finish(async (lib) => {
      const user = await actingAs(lib, args.as);
      const names = list(args.environments);
      const environments = await lib.db.environment.findMany({ where: { name: { in: names } } });
      const unknown = names.filter((n) => !environments.some((e) => e.name === n));
      if (unknown.length) throw new Error(`No environment named ${unknown.join(", ")}.`);
      const parsed = lib.schemas.createApiTokenSchema.safeParse({
        name: args.name,
        kind: args.service ? "SERVICE" : "PERSONAL",
        scopes: list(args.scopes),
        environmentIds: environments.map((e) => e.id),
        expiresInDays: Number(args.days),
      });
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join(" "));
      const made = await lib.store.createApiToken(user, parsed.data);
      process.stderr.write(
        `Token ${made.token.id} (${made.token.prefix}…) expires ${made.token.expiresAt.toISOString()}. ` +
          `The secret below is not stored and is shown only now:\n`,
      );
      process.stdout.write(`${made.secret}\n`);
    }),
});

const listCommand = defineCommand({
  meta: { name: "list", description: "Your tokens (every token for an admin with --all)" },
  args: { ...who, all: { type: "boolean", description: "Everyone's tokens (admins)" } },
  run: ({ args }) =>
    finish(async (lib) => {
      const user = await actingAs(lib, args.as);
      if (args.all && !lib.can(user, lib.store.SERVICE_TOKEN_PERMISSION))
        throw new Error("Only an admin can list everyone's tokens.");
      const tokens = args.all ? await lib.store.allTokens() : await lib.store.tokensOf(user.id);
      for (const t of tokens) {
        const state = t.revokedAt ? "revoked" : t.expiresAt < new Date() ? "expired" : "active";
        process.stdout.write(
          `${t.id}\t${t.prefix}…\t${t.kind}\t${state}\t${t.name}\tscopes=${t.scopes.join(",")}\t` +
            `environments=${t.environmentIds.length ? t.environmentIds.join(",") : "all"}\t` +
            `expires=${t.expiresAt.toISOString()}\tlast-used=${t.lastUsedAt?.toISOString() ?? "never"}\n`,
        );
      }
    }),
});

const revoke = defineCommand({
  meta: { name: "revoke", description: "Revoke a token (yours; anyone's for an admin)" },
  args: { ...who, token: { type: "positional", description: "Token id", required: true } },
  run: ({ args }) =>
    finish(async (lib) => {
      const user = await actingAs(lib, args.as);
      const revoked = await lib.store.revokeApiToken(user, args.token);
      process.stderr.write(`Token ${revoked.id} revoked at ${revoked.revokedAt.toISOString()}.\n`);
    }),
});

await runMain(
  defineCommand({
    meta: { name: "api-token", description: "Greenlight API tokens" },
    subCommands: { create, list: listCommand, revoke },
  }),
);
