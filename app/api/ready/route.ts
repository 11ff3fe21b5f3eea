import { checkReadiness } from "@/lib/runtime/readiness";

export const dynamic = "force-dynamic";

export async function GET() {
  const readiness = await checkReadiness(process.env.DATABASE_URL);
  return Response.json(
    { status: readiness.ready ? "ready" : "not ready", ...readiness },
    { status: readiness.ready ? 200 : 503 },
  );
}
