/**
 * "Last known good", derived from the deployment log rather than guessed from the cluster: the
 * versions that served all traffic and passed, newest first, and the ones that must never be
 * rolled back to. A plain function over the runs of one service in one environment.
 */

export interface RunRecord {
  kind: "DEPLOY" | "ROLLBACK" | "PROMOTE" | "ABORT";
  status: string;
  dryRun?: boolean;
  fromImage: string | null;
  toImage: string | null;
  verification: string | null;
  startedAt: Date | null;
  trafficSwitchedAt: Date | null;
  finishedAt: Date | null;
}

export type VersionVerdict =
  | { image: string; good: true; since: Date; why: string }
  | { image: string; good: false; since: Date; why: string };

const FINAL_BAD = new Set(["FAILED", "ABORTED"]);

function when(run: RunRecord): Date {
  return run.trafficSwitchedAt ?? run.finishedAt ?? run.startedAt ?? new Date(0);
}

/**
 * Each image's standing, decided by the most recent run that says something about it:
 * - a deploy that succeeded (and, where a verification window ran, was not breached or left
 *   unverified) makes its image good; one that failed, was aborted or breached makes it bad;
 * - a rollback that succeeded makes its target good and the version it replaced bad;
 * - the version a deploy replaced was serving all traffic: good, unless something is known of it.
 */
export function versionVerdicts(history: readonly RunRecord[]): Map<string, VersionVerdict> {
  const verdicts = new Map<string, VersionVerdict>();
  const runs = history
    .filter((r) => !r.dryRun && (r.kind === "DEPLOY" || r.kind === "ROLLBACK"))
    .sort((a, b) => when(a).getTime() - when(b).getTime());
  const set = (image: string | null, verdict: Omit<VersionVerdict, "image">) => {
    if (image) verdicts.set(image, { image, ...verdict } as VersionVerdict);
  };
  for (const run of runs) {
    const at = when(run);
    if (run.kind === "DEPLOY") {
      if (run.status === "SUCCEEDED" && run.fromImage && !verdicts.has(run.fromImage))
        set(run.fromImage, {
          good: true,
          since: run.startedAt ?? at,
          why: "was live before Greenlight's first deploy of it",
        });
      if (run.status === "SUCCEEDED") {
        if (run.verification === "BREACHED")
          set(run.toImage, { good: false, since: at, why: "breached its SLIs after its deploy" });
        else if (run.verification === "UNVERIFIED")
          set(run.toImage, { good: false, since: at, why: "could not be verified after its deploy" });
        else
          set(run.toImage, {
            good: true,
            since: at,
            why: run.verification === "VERIFIED" ? "deployed and verified" : "deployed",
          });
      } else if (FINAL_BAD.has(run.status)) {
        set(run.toImage, {
          good: false,
          since: at,
          why: run.status === "ABORTED" ? "its deploy was aborted" : "its deploy failed",
        });
      }
    } else if (run.status === "SUCCEEDED") {
      set(run.fromImage, { good: false, since: at, why: "was rolled back" });
      set(run.toImage, { good: true, since: at, why: "restored by a rollback" });
    }
  }
  return verdicts;
}

/** Good versions, newest first: a rollback goes to the first of them that is not live. */
export function goodVersions(history: readonly RunRecord[]): string[] {
  return [...versionVerdicts(history).values()]
    .filter((v) => v.good)
    .sort((a, b) => b.since.getTime() - a.since.getTime())
    .map((v) => v.image);
}

export type RollbackChoice = { image: string } | { image: null; why: string };

/**
 * The version a rollback restores: the newest good one that is not what serves now. When there is
 * none, a sentence that says why, naming the version that is not good where there is one.
 */
export function chooseRollbackImage(
  candidates: readonly string[],
  liveImages: readonly (string | undefined)[],
  verdicts?: Map<string, VersionVerdict>,
): RollbackChoice {
  const live = new Set(liveImages.filter((i): i is string => !!i));
  const image = candidates.find((c) => !live.has(c));
  if (image) return { image };
  const bad = verdicts
    ? [...verdicts.values()]
        .filter((v) => !v.good && !live.has(v.image))
        .sort((a, b) => b.since.getTime() - a.since.getTime())[0]
    : undefined;
  const current = [...live][0];
  if (candidates.length === 0)
    return {
      image: null,
      why: "nothing to roll back to: Greenlight has no record of a good version of this service here yet",
    };
  return {
    image: null,
    why: `nothing to roll back to: ${current ? `${current}, the last good version, is already live` : "no good version is available"}${bad ? `; the other candidate, ${bad.image}, ${bad.why}` : ""}`,
  };
}
