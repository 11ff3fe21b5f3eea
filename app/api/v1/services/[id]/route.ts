import { apiRoute, idParam } from "@/lib/api/v1/handler";
import { serviceAnswer } from "@/lib/api/v1/resources";

export const dynamic = "force-dynamic";

/** A service's live state in each environment the token may see (by id or by name). */
export const GET = apiRoute({ permission: "dashboard:read", verb: "read services" }, async (context) => {
  const service = await serviceAnswer(context, idParam(context, "service"));
  return { body: service, target: { type: "service", id: service.id } };
});
