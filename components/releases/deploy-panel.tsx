"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { RunProgress } from "@/components/runs/run-progress";
import { Button } from "@/components/ui/button";
import { useAction } from "@/components/use-action";
import { deployReleaseAction, dryRunReleaseAction } from "@/lib/actions/runs/deploy";
import type { PlannedStep } from "@/lib/deploy/commands/dry-run";
import type { RunProgress as Progress } from "@/lib/deploy/queries";

interface Props {
  releaseId: string;
  canDeploy: boolean;
  /** Abort a canary (on-call too); promoting one is canDeploy's. */
  canAbort: boolean;
  /** Why Deploy is off, when it is. */
  blockedReason: string | null;
  activeRunId: string | null;
  lastRunId: string | null;
  /** The shown run as the server read it, so its progress renders without a spinner. */
  initialRun?: Progress | null;
}

export function DeployPanel({
  releaseId,
  canDeploy,
  canAbort,
  blockedReason,
  activeRunId,
  lastRunId,
  initialRun,
}: Props) {
  const router = useRouter();
  const [runId, setRunId] = useState(activeRunId ?? lastRunId);
  // A run someone else started (another tab, another person, a CI call) arrives as a new
  // activeRunId after a refresh: follow it.
  const [shownActiveRunId, setShownActiveRunId] = useState(activeRunId);
  if (activeRunId !== shownActiveRunId) {
    setShownActiveRunId(activeRunId);
    if (activeRunId) setRunId(activeRunId);
  }
  const [plan, setPlan] = useState<PlannedStep[] | null>(null);
  const deploy = useAction(deployReleaseAction);
  const dryRun = useAction(dryRunReleaseAction);

  return (
    <div className="space-y-4">
      {canDeploy ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button
            disabled={Boolean(blockedReason) || deploy.pending}
            onClick={() =>
              deploy.execute(
                { releaseId },
                {
                  success: "Deploy started.",
                  onSuccess: (d) => {
                    setRunId(d.runId);
                    setPlan(null);
                  },
                  // Refused because a run is already under way (a double click elsewhere won):
                  // re-read the page so that run shows here with its progress.
                  onError: (e) => {
                    if (e.code === "CONFLICT") router.refresh();
                  },
                },
              )
            }
          >
            {deploy.pending ? "Starting…" : "Deploy"}
          </Button>
          <Button
            variant="secondary"
            disabled={dryRun.pending}
            onClick={() => dryRun.execute({ releaseId }, { onSuccess: (d) => setPlan(d.steps) })}
          >
            {dryRun.pending ? "Planning…" : "Dry run"}
          </Button>
          {blockedReason ? (
            <p className="text-sm text-muted-foreground" data-testid="deploy-blocked">
              {blockedReason}
            </p>
          ) : null}
        </div>
      ) : (
        <p className="text-sm text-muted-foreground">Release managers deploy releases.</p>
      )}
      {plan ? (
        <div className="rounded-md border border-border p-3" data-testid="dry-run-plan">
          <p className="mb-2 text-sm font-medium">
            Dry run: what a deploy would do (the cluster validated every write; nothing changed)
          </p>
          <ol className="space-y-2 text-sm">
            {plan.map((p) => (
              <li key={p.step}>
                <span className="font-mono text-xs text-muted-foreground">{p.step}</span>{" "}
                <span className={p.status === "failed" ? "text-destructive" : ""}>{p.message}</span>
                {p.request ? (
                  <pre className="mt-1 overflow-x-auto rounded bg-muted p-2 text-xs">
                    {JSON.stringify(p.request, null, 2)}
                  </pre>
                ) : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {/* The worker finishes a run, outside any request: no revalidatePath can reach this page, so it re-reads itself. */}
      {runId ? (
        <RunProgress
          key={runId}
          runId={runId}
          canPromote={canDeploy}
          canAbort={canAbort}
          initialData={initialRun?.id === runId ? initialRun : undefined}
          onFinished={() => router.refresh()}
        />
      ) : null}
    </div>
  );
}
