import type { StrategyName } from "@/lib/schemas/release";

/** What approvers sign: a change to any of these makes a new revision and voids sign-offs. */
export interface ReleaseBinding {
  imageRef: string;
  imageDigest: string | null;
  strategy: StrategyName;
  environmentId: string;
}

export type BindingChange = "image" | "digest" | "strategy" | "target";

export function bindingChanges(current: ReleaseBinding, next: ReleaseBinding): BindingChange[] {
  const changes: BindingChange[] = [];
  if (current.imageRef !== next.imageRef) changes.push("image");
  if ((current.imageDigest ?? null) !== (next.imageDigest ?? null)) changes.push("digest");
  if (current.strategy !== next.strategy) changes.push("strategy");
  if (current.environmentId !== next.environmentId) changes.push("target");
  return changes;
}

/**
 * The revision after an edit: bumped by one when anything approvers signed changed; the summary
 * and links are commentary and leave it as it is.
 */
export function nextRevision(revision: number, current: ReleaseBinding, next: ReleaseBinding): { revision: number; changes: BindingChange[] } {
  const changes = bindingChanges(current, next);
  return { revision: changes.length > 0 ? revision + 1 : revision, changes };
}

/** "image and strategy changed" */
export function describeChanges(changes: readonly BindingChange[]): string {
  if (changes.length === 0) return "nothing approvers signed changed";
  const list = changes.length === 1 ? changes[0] : `${changes.slice(0, -1).join(", ")} and ${changes.at(-1)}`;
  return `${list} changed`;
}
