import { openApiDocument } from "@/lib/api/v1/openapi";

export const dynamic = "force-dynamic";

/** The API's OpenAPI 3.1 document, public like any API description (it holds no data). */
export async function GET(request: Request) {
  return Response.json(openApiDocument(new URL(request.url).origin), {
    headers: { "cache-control": "public, max-age=300" },
  });
}
