import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: Context) {
  // next-auth v4 reads params synchronously; Next 16 hands them over as a promise.
  const params = await context.params;
  return NextAuth(getAuthOptions())(request, { params });
}

export { handler as GET, handler as POST };
