import { apiRoute, idParam } from "@/lib/api/v1/handler";
import { releaseAnswer } from "@/lib/api/v1/resources";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ permission: "dashboard:read", verb: "read releases" }, async (context) => {
  const id = idParam(context, "release");
  return { body: await releaseAnswer(context, id), target: { type: "release", id } };
});
