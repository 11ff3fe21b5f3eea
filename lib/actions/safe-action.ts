import "server-only";
import type { z } from "zod";
import { invalidInput } from "@/lib/actions/field-errors";
import { BROKEN_TEXT_MESSAGE, brokenTextPath, issueMessage } from "@/lib/actions/input-messages";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/current-user";
import { AppError, GENERIC_ERROR_MESSAGE, type AppErrorCode } from "@/lib/errors";
import { log } from "@/lib/log";
import { can, forbiddenMessage, type Permission } from "@/lib/rbac";

export type ActionError = { code: AppErrorCode; message: string; fieldErrors?: Record<string, string[]> };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

export interface ActionDefinition<S extends z.ZodType> {
  /** For logs: "release.create". */
  name: string;
  schema: S;
  permission: Permission;
  /** Completes "Only a release manager or admin can …" */
  verb: string;
}

/**
 * Every action made with authorizedAction, by name, as its module defined it (a reload replaces
 * it). tests/integration/authorization-matrix.test.ts checks lib/actions/registry.ts against it,
 * so the registry cannot claim another permission or schema than the action checks.
 */
export const definedActions = new Map<string, ActionDefinition<z.ZodType>>();

/**
 * Wraps a server action: the signed-in person, the permission from the matrix, zod-parsed input,
 * then the plain lib/ function. Only AppError messages reach the person; anything else is
 * logged with its stack and answered with a generic message.
 *
 * The input is typed as the schema's input so callers are checked at compile time, and parsed
 * again here all the same: a browser can send anything.
 */
export function authorizedAction<S extends z.ZodType, T>(
  definition: ActionDefinition<S>,
  handler: (input: z.infer<S>, user: CurrentUser) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  definedActions.set(definition.name, definition);
  return async (raw: unknown) => {
    let user: CurrentUser | null = null;
    try {
      user = await getCurrentUser();
      if (!user)
        return { ok: false, error: { code: "UNAUTHENTICATED", message: "Your session has ended. Sign in again." } };
      if (!can(user, definition.permission)) {
        log.warn({ action: definition.name, user: user.email, roles: user.roles }, "action refused: permission");
        return {
          ok: false,
          error: { code: "FORBIDDEN", message: forbiddenMessage(definition.permission, definition.verb) },
        };
      }
      const broken = brokenTextPath(raw);
      if (broken !== null)
        return {
          ok: false,
          error: {
            code: "INVALID",
            message: BROKEN_TEXT_MESSAGE,
            fieldErrors: { [broken || "_"]: [BROKEN_TEXT_MESSAGE] },
          },
        };
      // Sentences where a schema wrote no message of its own (a hand-made request's wrong types).
      const parsed = definition.schema.safeParse(raw, { error: issueMessage });
      if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };
      const data = await handler(parsed.data, user);
      log.info({ action: definition.name, user: user.email }, "action done");
      return { ok: true, data };
    } catch (error) {
      if (error instanceof AppError) {
        return { ok: false, error: { code: error.code, message: error.message, fieldErrors: error.fieldErrors } };
      }
      log.error({ err: error, action: definition.name, user: user?.email }, "action failed");
      return { ok: false, error: { code: "INTERNAL", message: GENERIC_ERROR_MESSAGE } };
    }
  };
}
