import type { Metadata } from "next";
import Link from "next/link";
import { AdminTabs } from "@/components/admin/admin-tabs";
import { TokenTable } from "@/components/api-tokens/token-table";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { everyonesTokens } from "@/lib/api-tokens/queries";
import { requirePermission } from "@/lib/auth/require-user";

export const metadata: Metadata = { title: "API tokens · Admin" };

export default async function AdminTokensPage() {
  const user = await requirePermission("settings:manage");
  const tokens = await everyonesTokens(user);
  return (
    <>
      <PageHeader
        title="Admin"
        description="Every API token, whose roles it acts with, and when it was last used. Revoke one that leaked or is no longer needed."
      />
      <AdminTabs current="tokens" />
      <Card>
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens">
            People make their own under{" "}
            <Link className="underline" href="/account/tokens">
              API tokens
            </Link>{" "}
            in the account menu; service tokens for pipelines are made there by an admin.
          </EmptyState>
        ) : (
          <TokenTable tokens={tokens} showOwner />
        )}
      </Card>
    </>
  );
}
