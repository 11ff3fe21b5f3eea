"use client";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function DashboardError({ reset }: { error: Error; reset: () => void }) {
  return (
    <EmptyState title="This page could not load" action={<Button onClick={reset}>Try again</Button>}>
      Something went wrong on our side and it has been logged. If the database is restarting, try again in a moment.
    </EmptyState>
  );
}
