// oidc-provider ships no types (DefinitelyTyped's @types/oidc-provider is not installed); this is
// the part of its API the e2e suite's provider (./provider.ts) uses, as its README documents it.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  type Claims = Record<string, unknown> & { sub: string };

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Claims> | Claims;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  interface GrantClass {
    new (properties: { clientId: string; accountId?: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface OidcContext {
    oidc: {
      provider: Provider;
      client?: { clientId: string };
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
      result?: { consent?: { grantId?: string } };
    };
  }

  export interface Interaction {
    uid: string;
    prompt: { name: string };
  }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    cookies?: { keys?: string[] };
    claims?: Record<string, string[]>;
    findAccount?: (ctx: OidcContext, sub: string) => Promise<Account | undefined>;
    loadExistingGrant?: (ctx: OidcContext) => Promise<Grant | undefined>;
    features?: Record<string, { enabled: boolean }>;
    interactions?: { url: (ctx: OidcContext, interaction: Interaction) => string };
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    Grant: GrantClass;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }
}
