import { apiRoute, ApiProblem, idParam } from "@/lib/api/v1/handler";
import { releaseEnvironment } from "@/lib/api/v1/resources";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { releaseIdSchema } from "@/lib/schemas/runs";

export const dynamic = "force-dynamic";

/**
 * Starts a deploy of a release: the deploy action's lib function, so the same gate, the same
 * one-run-per-target conflict (409) and the same audit entry.
 */
export const POST = apiRoute({ permission: "release:deploy", verb: "deploy a release" }, async (context) => {
  const parsed = releaseIdSchema.safeParse({ releaseId: idParam(context, "release") });
  if (!parsed.success) throw new ApiProblem("NOT_FOUND", "No such release.");
  const { releaseId } = parsed.data;
  await releaseEnvironment(context, releaseId);
  const run = await requestDeploy(context.caller, releaseId);
  return { status: 202, body: { id: run.id, status: run.status }, target: { type: "run", id: run.id } };
});
