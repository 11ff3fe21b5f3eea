import { getCurrentUser } from "@/lib/auth/current-user";
import { runProgress } from "@/lib/deploy/queries";
import { can } from "@/lib/rbac";

export const dynamic = "force-dynamic";

/**
 * Live progress of a run, polled by the release and service pages. Step request and response
 * bodies (redacted) only for those who may act on runs; everyone else gets the step summaries.
 */
export async function GET(_request: Request, context: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (!can(user, "dashboard:read"))
    return Response.json({ error: "You have no role in Greenlight yet." }, { status: 403 });
  const { id } = await context.params;
  if (!/^[a-z0-9]{1,64}$/i.test(id)) return Response.json({ error: "Not a run id." }, { status: 400 });
  const run = await runProgress(id, user);
  if (!run) return Response.json({ error: "No such run." }, { status: 404 });
  return Response.json(run, { headers: { "Cache-Control": "no-store" } });
}
