"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/store";
import { createApiTokenSchema, revokeApiTokenSchema } from "@/lib/schemas/api-tokens";

// Anyone with a role may make and revoke their own tokens; service tokens and other people's
// tokens are checked for an admin inside lib/api-tokens.
const create = authorizedAction(
  { name: "api_token.create", schema: createApiTokenSchema, permission: "dashboard:read", verb: "make an API token" },
  async (input, user) => {
    const { token, secret } = await createApiToken(user, input);
    revalidatePath("/account/tokens");
    revalidatePath("/admin/tokens");
    // The only time the secret leaves the server.
    return { id: token.id, name: token.name, prefix: token.prefix, expiresAt: token.expiresAt.toISOString(), secret };
  },
);

const revoke = authorizedAction(
  {
    name: "api_token.revoke",
    schema: revokeApiTokenSchema,
    permission: "dashboard:read",
    verb: "revoke an API token",
  },
  async ({ tokenId }, user) => {
    const result = await revokeApiToken(user, tokenId);
    revalidatePath("/account/tokens");
    revalidatePath("/admin/tokens");
    return { id: result.id, revokedAt: result.revokedAt.toISOString() };
  },
);

export async function createApiTokenAction(input: z.input<typeof createApiTokenSchema>) {
  return create(input);
}

export async function revokeApiTokenAction(input: z.input<typeof revokeApiTokenSchema>) {
  return revoke(input);
}
