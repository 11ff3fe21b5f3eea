import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/env";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type Db = PrismaClient;
/** A client or the transaction client handed to `db.$transaction(async (tx) => …)`. */
export type DbTx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

function createClient(): PrismaClient {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error("DATABASE_URL is not set. Start the app with `npm start`, which provides an embedded PostgreSQL.");
  }
  const adapter = new PrismaPg({ connectionString, max: env().DATABASE_POOL_SIZE });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { greenlightPrisma?: PrismaClient };

/** The one Prisma client of this process, created on first use. */
export function getDb(): PrismaClient {
  globalForPrisma.greenlightPrisma ??= createClient();
  return globalForPrisma.greenlightPrisma;
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getDb();
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});
