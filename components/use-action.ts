"use client";

import { useEffect, useId, useState, useTransition } from "react";
import { toast } from "sonner";
import type { z } from "zod";
import { invalidInput } from "@/lib/actions/field-errors";
import type { ActionError, ActionResult } from "@/lib/actions/safe-action";

interface Handlers<T> {
  onSuccess?: (data: T) => void;
  onError?: (error: ActionError) => void;
  success?: string | ((data: T) => string);
  /** Called inside the action's transition before the request: where a useOptimistic setter goes. */
  optimistic?: () => void;
}

/**
 * Moves focus to the first control marked aria-invalid inside the element with id `containerId`
 * each time `errors` changes, so a keyboard or screen-reader user lands on what needs fixing.
 * By id rather than a ref: the hook's result is read during render, where refs must not be.
 */
export function useFocusFirstInvalid(containerId: string, errors: object | null) {
  useEffect(() => {
    if (errors) document.getElementById(containerId)?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [containerId, errors]);
}

/**
 * Runs a server action with pending state, field errors and a toast for the outcome. A second
 * click while one is in flight is ignored, so a double click sends one request.
 *
 * Given the action's own schema, the input is checked in the browser first: its field errors
 * show at once and nothing is sent (the server parses it again regardless). Field errors from
 * either side move focus to the first invalid control of the form given `id={…formId}`.
 */
export function useAction<I, T>(
  action: (input: I) => Promise<ActionResult<T>>,
  options: { schema?: z.ZodType<unknown, NoInfer<I>> } = {},
) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionError | null>(null);
  const formId = useId();
  useFocusFirstInvalid(formId, error?.fieldErrors ?? null);

  function execute(input: I, handlers: Handlers<T> = {}) {
    if (pending) return;
    const checked = options.schema?.safeParse(input);
    if (checked && !checked.success) {
      const invalid = invalidInput(checked.error);
      setError(invalid);
      handlers.onError?.(invalid);
      return;
    }
    startTransition(async () => {
      handlers.optimistic?.();
      let result: ActionResult<T>;
      try {
        result = await action(input);
      } catch {
        result = {
          ok: false,
          error: { code: "INTERNAL", message: "Greenlight could not be reached. Check your connection and try again." },
        };
      }
      if (result.ok) {
        setError(null);
        const message = typeof handlers.success === "function" ? handlers.success(result.data) : handlers.success;
        if (message) toast.success(message);
        handlers.onSuccess?.(result.data);
      } else {
        setError(result.error);
        toast.error(result.error.message);
        handlers.onError?.(result.error);
      }
    });
  }

  return { execute, pending, error, fieldErrors: error?.fieldErrors ?? {}, formId };
}
