"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { useAction } from "@/components/use-action";
import { overrideFreezeAction } from "@/lib/actions/approvals/sign";

/** Admins only: deploy through a freeze, with a written reason that stays on the release. */
export function FreezeOverride({ releaseId }: { releaseId: string }) {
  const router = useRouter();
  const [reason, setReason] = useState("");
  const override = useAction(overrideFreezeAction);
  return (
    <form
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        override.execute({ releaseId, reason }, { success: "Freeze overridden for this revision.", onSuccess: () => router.refresh() });
      }}
    >
      <label htmlFor="freeze-reason" className="block text-sm font-medium">Override the freeze (admin)</label>
      <Textarea id="freeze-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why this cannot wait (at least 10 characters)" />
      <Button size="sm" variant="destructive" type="submit" disabled={override.pending || reason.trim().length < 10}>Override freeze</Button>
    </form>
  );
}
