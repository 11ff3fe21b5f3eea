import "server-only";
import { db } from "@/lib/db";

/** The enabled local (demo) accounts with their roles, offered on the sign-in page. */
export function listDemoAccounts() {
  return db.user.findMany({
    where: { passwordHash: { not: null }, disabledAt: null },
    orderBy: { email: "asc" },
    include: { roles: true },
  });
}

export type DemoAccount = Awaited<ReturnType<typeof listDemoAccounts>>[number];

/** Everyone with their roles, for the admin page. */
export function listPeople() {
  return db.user.findMany({
    orderBy: { name: "asc" },
    include: { roles: { orderBy: { role: "asc" } } },
  });
}

export type Person = Awaited<ReturnType<typeof listPeople>>[number];
