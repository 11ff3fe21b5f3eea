"use client";

import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useAction } from "@/components/use-action";
import { revokeApiTokenAction } from "@/lib/actions/api-tokens/tokens";

/** Revoking is immediate and final (a pipeline using it starts failing), so it asks first. */
export function RevokeTokenButton({ tokenId, name, owner }: { tokenId: string; name: string; owner?: string }) {
  const revoke = useAction(revokeApiTokenAction);
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="secondary" disabled={revoke.pending} aria-label={`Revoke token ${name}`}>
          {revoke.pending ? "Revoking…" : "Revoke"}
        </Button>
      }
      title={`Revoke “${name}”?`}
      description={`Every request with it is refused from now on${owner ? ` (it acts for ${owner})` : ""}. This cannot be undone; make a new token to replace it.`}
      confirm="Revoke token"
      onConfirm={() => revoke.execute({ tokenId }, { success: `Token “${name}” revoked.` })}
    />
  );
}
