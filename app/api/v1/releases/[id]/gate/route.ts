import { apiRoute, idParam } from "@/lib/api/v1/handler";
import { gateAnswer } from "@/lib/api/v1/resources";

export const dynamic = "force-dynamic";

/** What the release still needs before it may be deployed: the release page's gate. */
export const GET = apiRoute({ permission: "dashboard:read", verb: "read releases" }, async (context) => {
  const id = idParam(context, "release");
  return { body: await gateAnswer(context, id), target: { type: "release", id } };
});
