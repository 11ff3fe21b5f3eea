import { BAND_RULES } from "@/lib/history/bands";
import { ROLLBACK_WINDOW_HOURS } from "@/lib/history/metrics";

const ROWS = [
  ["Deployment frequency", BAND_RULES.deploymentFrequency],
  ["Lead time for changes", BAND_RULES.leadTime],
  ["Change failure rate", BAND_RULES.changeFailureRate],
  ["Failed deployment recovery time", BAND_RULES.recoveryTime],
] as const;

/** The exact definitions, on the page where the figures are (the README and metrics.ts say the same). */
export function Definitions({ environment }: { environment: string }) {
  return (
    <details className="mb-6 rounded-lg border border-border bg-card px-5 py-4 text-sm" data-testid="definitions">
      <summary className="cursor-pointer font-medium">How these are computed</summary>
      <div className="mt-3 space-y-3 leading-relaxed">
        <p>
          <strong>Production deploy.</strong> A deploy (not a dry run) to the <code>{environment}</code> environment
          that reached a final state and served traffic: it succeeded, or it failed or was rolled back after its traffic
          switch (users got it). A deploy aborted or failed before its traffic switch changed nothing for users and is
          not counted. It belongs to the period its finish falls in. The previous period is the one of the same length
          just before.
        </p>
        <p>
          <strong>Deployment frequency</strong> = production deploys ÷ days in the period (also shown per week).
        </p>
        <p>
          <strong>Lead time for changes</strong> = the median, over production deploys that ended live (succeeded), of
          the time from the release&apos;s creation to the deploy&apos;s finish. Where a release records its commit
          time, the median from commit to live over the same deploys is shown beside it.
        </p>
        <p>
          <strong>Change failure rate</strong> = failed production deploys ÷ production deploys. A production deploy
          failed when a rollback of the same service and environment started after it finished, within{" "}
          {ROLLBACK_WINDOW_HOURS} hours and before the next production deploy started (a later rollback is about the
          later deploy); or an incident opened within {ROLLBACK_WINDOW_HOURS} hours after it finished names it as its
          cause; or it failed or was rolled back by the engine after its traffic switch.
        </p>
        <p>
          <strong>Failed deployment recovery time</strong> = the median, over failed production deploys, of the time
          from the failure (the deploy&apos;s finish, its traffic switch when the engine had to undo it, or its
          incident&apos;s opening when earlier) to the first of: the next good version serving (a successful rollback or
          deploy of that service and environment finishing later) or its incident restored (else resolved). Failures not
          recovered yet are counted beside the median, not in it.
        </p>
        <p className="text-muted-foreground">
          Unlike Four Keys, recovery is measured only from deploys that failed (not from every incident), and deploys
          that never reached users are not in the change failure rate&apos;s denominator.
        </p>
        <table className="w-full text-left text-xs">
          <caption className="mb-1 text-left text-muted-foreground">
            Bands: DORA, Accelerate State of DevOps Report 2023; cut-offs by convention (see the README).
          </caption>
          <thead>
            <tr>
              <th scope="col" className="py-1 pr-3">
                Metric
              </th>
              <th scope="col" className="py-1 pr-3">
                Elite
              </th>
              <th scope="col" className="py-1 pr-3">
                High
              </th>
              <th scope="col" className="py-1 pr-3">
                Medium
              </th>
              <th scope="col" className="py-1 pr-3">
                Low
              </th>
            </tr>
          </thead>
          <tbody>
            {ROWS.map(([name, rule]) => (
              <tr key={name} className="border-t border-border">
                <th scope="row" className="py-1 pr-3 font-medium">
                  {name}
                </th>
                <td className="py-1 pr-3">{rule.elite}</td>
                <td className="py-1 pr-3">{rule.high}</td>
                <td className="py-1 pr-3">{rule.medium}</td>
                <td className="py-1 pr-3">{rule.low}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
