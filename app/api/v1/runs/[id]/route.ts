import { apiRoute, idParam } from "@/lib/api/v1/handler";
import { runAnswer } from "@/lib/api/v1/resources";

export const dynamic = "force-dynamic";

/** A deploy's or rollback's status and events. */
export const GET = apiRoute({ permission: "dashboard:read", verb: "read runs" }, async (context) => {
  const id = idParam(context, "run");
  return { body: await runAnswer(context, id), target: { type: "run", id } };
});
