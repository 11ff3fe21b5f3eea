import { z } from "zod";
import { getCurrentUser } from "@/lib/auth/current-user";
import { can } from "@/lib/rbac";
import { RANGES } from "@/lib/slo/panels";
import { serviceSlis } from "@/lib/slo/service-slis";
import { serviceAndEnvironmentIds } from "@/lib/services/queries";

export const dynamic = "force-dynamic";

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

const query = z.object({
  environment: z.string().regex(/^[a-z0-9-]{1,64}$/),
  range: z.enum(Object.keys(RANGES) as [keyof typeof RANGES, ...(keyof typeof RANGES)[]]).default("1h"),
});

/** SLI chart data for a service in an environment; polled every 15 s by the service page. */
export async function GET(request: Request, context: { params: Promise<{ name: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (!can(user, "dashboard:read"))
    return Response.json({ error: "You have no role in Greenlight yet." }, { status: 403 });
  const { name } = await context.params;
  // Checked before the look-up: a NUL or broken text in the path would fail the query itself.
  if (!SERVICE_NAME.test(name)) return Response.json({ error: "No such service or environment." }, { status: 404 });
  const url = new URL(request.url);
  const parsed = query.safeParse({
    environment: url.searchParams.get("environment"),
    range: url.searchParams.get("range") ?? undefined,
  });
  if (!parsed.success)
    return Response.json({ error: "Give environment=<name> and range=15m|1h|6h|24h|7d." }, { status: 400 });
  const ids = await serviceAndEnvironmentIds(name, parsed.data.environment);
  if (!ids) return Response.json({ error: "No such service or environment." }, { status: 404 });
  return Response.json(await serviceSlis(ids.serviceId, ids.environmentId, parsed.data.range), {
    headers: { "Cache-Control": "no-store" },
  });
}
