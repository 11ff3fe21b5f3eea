import type { StrategyName } from "@/lib/schemas/release";

/** What approvers sign: every field of a release revision. */
export interface ReleaseContent {
  imageRef: string;
  imageDigest: string | null;
  strategy: StrategyName;
  environmentId: string;
  changeSummary: string;
  links: readonly { label: string; url: string }[];
}

export type ReleaseChange = "image" | "digest" | "strategy" | "target" | "summary" | "links";

export function releaseChanges(current: ReleaseContent, next: ReleaseContent): ReleaseChange[] {
  const changes: ReleaseChange[] = [];
  if (current.imageRef !== next.imageRef) changes.push("image");
  if ((current.imageDigest ?? null) !== (next.imageDigest ?? null)) changes.push("digest");
  if (current.strategy !== next.strategy) changes.push("strategy");
  if (current.environmentId !== next.environmentId) changes.push("target");
  if (current.changeSummary !== next.changeSummary) changes.push("summary");
  if (JSON.stringify(current.links) !== JSON.stringify(next.links)) changes.push("links");
  return changes;
}

/**
 * The revision after an edit: one more whenever anything changed, since approvers signed the
 * release as it stood (image, digest, strategy and target, and the summary and links they read).
 * Sign-offs bind to a revision, so any edit asks for them again. A save that changes nothing
 * keeps the revision.
 */
export function nextRevision(
  revision: number,
  current: ReleaseContent,
  next: ReleaseContent,
): { revision: number; changes: ReleaseChange[] } {
  const changes = releaseChanges(current, next);
  return { revision: changes.length > 0 ? revision + 1 : revision, changes };
}

/** "image and strategy changed" */
export function describeChanges(changes: readonly string[]): string {
  if (changes.length === 0) return "nothing changed";
  const list = changes.length === 1 ? changes[0] : `${changes.slice(0, -1).join(", ")} and ${changes.at(-1)}`;
  return `${list} changed`;
}
