import { apiRoute, ApiProblem, idParam } from "@/lib/api/v1/handler";
import { findService, resolveEnvironment } from "@/lib/api/v1/resources";
import { requestRollback } from "@/lib/deploy/commands/requests";
import { apiRollbackSchema } from "@/lib/schemas/api-v1";
import { rollbackSchema } from "@/lib/schemas/runs";

export const dynamic = "force-dynamic";

/** Rolls a service back in one environment, with a reason: the rollback action's lib function. */
export const POST = apiRoute({ permission: "service:rollback", verb: "roll back" }, async (context) => {
  const input = await context.body(apiRollbackSchema);
  const service = await findService(idParam(context, "service"));
  if (!service) throw new ApiProblem("NOT_FOUND", "That service does not exist.");
  const environment = await resolveEnvironment(input);
  await context.requireEnvironment(environment.id);
  // The rollback action's own schema, on what the names resolved to.
  const run = await requestRollback(
    context.caller,
    rollbackSchema.parse({ serviceId: service.id, environmentId: environment.id, reason: input.reason }),
  );
  return { status: 202, body: { id: run.id, status: "QUEUED" }, target: { type: "run", id: run.id } };
});
