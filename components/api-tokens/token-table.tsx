import { RevokeTokenButton } from "@/components/api-tokens/revoke-token-button";
import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import { Timestamp } from "@/components/ui/timestamp";
import type { TokenRow } from "@/lib/api-tokens/queries";

/** API tokens with what they may do and their state; `showOwner` for the admin list. */
export function TokenTable({ tokens, showOwner = false }: { tokens: TokenRow[]; showOwner?: boolean }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Token</Th>
          {showOwner ? <Th>Acts for</Th> : null}
          <Th>May do</Th>
          <Th>Environments</Th>
          <Th>Last used</Th>
          <Th>Expires</Th>
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id} data-testid={`token-${t.name}`} className={t.state.usable ? undefined : "opacity-60"}>
            <Td>
              <p className="font-medium">{t.name}</p>
              <p className="font-mono text-xs text-muted-foreground">{t.prefix}…</p>
              <div className="mt-1 flex gap-1">
                {t.kind === "SERVICE" ? <Badge tone="info">service</Badge> : null}
                {t.state.usable ? (
                  <Badge tone="success">active</Badge>
                ) : (
                  <Badge tone={t.state.reason === "revoked" ? "danger" : "warning"} data-testid="token-state">
                    {t.state.reason}
                  </Badge>
                )}
              </div>
            </Td>
            {showOwner ? (
              <Td>
                <p>{t.owner.name}</p>
                <p className="text-xs text-muted-foreground">{t.owner.email}</p>
              </Td>
            ) : null}
            <Td className="font-mono text-xs">{t.scopes.join(", ")}</Td>
            <Td className="text-muted-foreground">{t.environments.length ? t.environments.join(", ") : "all"}</Td>
            <Td className="text-muted-foreground">{t.lastUsedAt ? <Timestamp value={t.lastUsedAt} /> : "never"}</Td>
            <Td className="text-muted-foreground">
              <Timestamp value={t.expiresAt} />
            </Td>
            <Td>
              {t.revocable ? (
                <RevokeTokenButton tokenId={t.id} name={t.name} owner={showOwner ? t.owner.name : undefined} />
              ) : null}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
