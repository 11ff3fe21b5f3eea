import { apiRoute } from "@/lib/api/v1/handler";
import { createReleaseFromApi } from "@/lib/api/v1/resources";
import { apiCreateReleaseSchema } from "@/lib/schemas/api-v1";

export const dynamic = "force-dynamic";

/** Creates a release (the server action's lib function and schema; see lib/api/v1/resources.ts). */
export const POST = apiRoute({ permission: "release:create", verb: "create a release" }, async (context) => {
  const release = await createReleaseFromApi(context, await context.body(apiCreateReleaseSchema));
  return { status: 201, body: release, target: { type: "release", id: release.id } };
});
