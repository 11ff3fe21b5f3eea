import { PrismaPg } from "@prisma/adapter-pg";

// PostgreSQL type ids the pg adapter does not map, yet Prisma's JS schema engine reads them
// while introspecting the catalog (`name` columns, the one-byte `"char"`): present them as text.
const CATALOG_TEXT_TYPES = new Set([18 /* "char" */, 19 /* name */]);
const TEXT = 25;

interface PgField {
  dataTypeID: number;
}
type PerformIO = (...args: unknown[]) => Promise<{ fields: PgField[] }>;

const patched = new WeakSet<object>();

/**
 * The driver adapter Prisma Migrate uses in `prisma.config.ts`. Prisma 6.19's JS schema engine
 * (no native engine download) trips over catalog column types; see README "Database".
 */
export function migrationAdapter(connectionString: string): PrismaPg {
  const factory = new PrismaPg({ connectionString, idleTimeoutMillis: 200 });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    patchQueryable(adapter);
    return adapter;
  };
  // The stock shadow connection reuses the main URL's database, so give it its own.
  factory.connectToShadowDb = async () => {
    const main = await factory.connect();
    const database = `prisma_shadow_${crypto.randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const url = new URL(connectionString);
    url.pathname = `/${database}`;
    const shadowFactory = new PrismaPg({ connectionString: url.toString(), idleTimeoutMillis: 200 });
    const shadow = await shadowFactory.connect();
    patchQueryable(shadow);
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await main.dispose();
    };
    return shadow;
  };
  return factory;
}

interface ScriptRunner {
  client: { query(sql: string): Promise<unknown> };
  executeScript(script: string): Promise<void>;
}

function patchQueryable(adapter: object): void {
  // The stock executeScript splits on every ";", which breaks function bodies and runs a
  // migration statement by statement. One simple-protocol query runs the whole script as one
  // implicit transaction: a failing migration leaves nothing half applied.
  const runner = adapter as ScriptRunner;
  runner.executeScript = async (script: string) => {
    await runner.client.query(script);
  };

  // performIO lives on the shared queryable prototype, so transactions are covered too.
  let proto: object | null = Object.getPrototypeOf(adapter);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "performIO")) proto = Object.getPrototypeOf(proto);
  if (!proto || patched.has(proto)) return;
  const target = proto as { performIO: PerformIO };
  const original = target.performIO;
  target.performIO = async function (this: unknown, ...args: unknown[]) {
    const result = await original.apply(this, args);
    for (const field of result.fields ?? []) {
      if (CATALOG_TEXT_TYPES.has(field.dataTypeID)) field.dataTypeID = TEXT;
    }
    return result;
  };
  patched.add(proto);
}
