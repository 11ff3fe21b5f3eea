"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import type { ActionError, ActionResult } from "@/lib/actions/safe-action";

/**
 * Runs a server action with pending state, field errors and a toast for the outcome. A second
 * click while one is in flight is ignored, so a double click sends one request.
 */
export function useAction<I, T>(action: (input: I) => Promise<ActionResult<T>>) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionError | null>(null);

  function execute(input: I, handlers: { onSuccess?: (data: T) => void; onError?: (error: ActionError) => void; success?: string | ((data: T) => string) } = {}) {
    if (pending) return;
    startTransition(async () => {
      let result: ActionResult<T>;
      try {
        result = await action(input);
      } catch {
        result = { ok: false, error: { code: "INTERNAL", message: "Greenlight could not be reached. Check your connection and try again." } };
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

  return { execute, pending, error, fieldErrors: error?.fieldErrors ?? {} };
}
