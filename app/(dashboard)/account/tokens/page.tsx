import type { Metadata } from "next";
import { NewTokenForm } from "@/components/api-tokens/new-token-form";
import { TokenTable } from "@/components/api-tokens/token-table";
import { Card, CardBody, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { myTokens, tokenFormOptions } from "@/lib/api-tokens/queries";
import { requirePermission } from "@/lib/auth/require-user";

export const metadata: Metadata = { title: "API tokens" };

export default async function AccountTokensPage() {
  const user = await requirePermission("dashboard:read");
  const [tokens, options] = await Promise.all([myTokens(user), tokenFormOptions(user)]);
  return (
    <>
      <PageHeader
        title="API tokens"
        description="For CI pipelines and scripts calling /api/v1 or npx greenlight. A token acts as you, limited to what you tick here; every use is in the audit log."
      />
      <Card className="mb-6">
        <CardHeader>
          <CardTitle>New token</CardTitle>
        </CardHeader>
        <CardBody>
          <NewTokenForm {...options} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Your tokens</CardTitle>
        </CardHeader>
        {tokens.length === 0 ? (
          <EmptyState title="No tokens yet">
            Make one above for a pipeline; the README&apos;s “API for CI” section has a curl recipe and a GitHub Actions
            example. The API&apos;s description is at{" "}
            <a className="underline" href="/api/v1/openapi.json">
              /api/v1/openapi.json
            </a>
            .
          </EmptyState>
        ) : (
          <TokenTable tokens={tokens} />
        )}
      </Card>
    </>
  );
}
