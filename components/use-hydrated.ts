"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * False in the server's HTML and while React hydrates it, true from then on. Until then a click
 * on a control that needs JavaScript does nothing (a dialog trigger) or worse (a form meant for a
 * server action submits itself natively, as a GET of the page with its fields in the address).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
