"use client";

import { Slot } from "@radix-ui/react-slot";
import type { VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";
import { buttonVariants } from "@/components/ui/button-variants";
import { useHydrated } from "@/components/use-hydrated";
import { cn } from "@/lib/cn";

export interface ButtonProps extends ComponentProps<"button">, VariantProps<typeof buttonVariants> {
  asChild?: boolean;
  /** The submit button of a plain form the browser sends itself (a GET search): usable before hydration. */
  worksBeforeHydration?: boolean;
}

/**
 * A button is disabled until the page has hydrated: its click handler, or the client-side submit
 * of its form, does not exist before then. One that wraps a link (asChild) or submits a plain form
 * (worksBeforeHydration) works without JavaScript and stays as it is.
 */
export function Button({ className, variant, size, asChild, worksBeforeHydration, disabled, ...props }: ButtonProps) {
  const hydrated = useHydrated();
  const Component = asChild ? Slot : "button";
  return (
    <Component
      className={cn(buttonVariants({ variant, size }), className)}
      disabled={asChild || worksBeforeHydration ? disabled : disabled || !hydrated}
      {...props}
    />
  );
}
