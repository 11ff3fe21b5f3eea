import { loadUser, type CurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { seed } from "@/lib/seed/seed";

/** Seeds the demo data into this file's database and returns people by demo email prefix. */
export async function seedDemo() {
  const db = getDb();
  await seed(db, { demo: true });
  const users = await db.user.findMany();
  const person = async (prefix: string): Promise<CurrentUser> => {
    const user = users.find((u) => u.email.startsWith(`${prefix}@`));
    if (!user) throw new Error(`no demo user ${prefix}`);
    const loaded = await loadUser(user.id);
    if (!loaded) throw new Error(`demo user ${prefix} is disabled`);
    return loaded;
  };
  const checkout = await db.service.findUniqueOrThrow({ where: { name: "checkout" } });
  const production = await db.environment.findUniqueOrThrow({ where: { name: "production" } });
  const staging = await db.environment.findUniqueOrThrow({ where: { name: "staging" } });
  return {
    db,
    checkout,
    production,
    staging,
    releaseManager: await person("release.manager"),
    viewer: await person("viewer"),
    admin: await person("admin"),
    secondAdmin: await person("second.admin"),
    onCall: await person("oncall"),
  };
}
