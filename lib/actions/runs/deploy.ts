"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { authorizedAction } from "@/lib/actions/safe-action";
import { dryRunRelease } from "@/lib/deploy/commands/dry-run";
import { requestDeploy } from "@/lib/deploy/commands/requests";
import { releaseIdSchema } from "@/lib/schemas/runs";

const deploy = authorizedAction(
  { name: "release.deploy", schema: releaseIdSchema, permission: "release:deploy", verb: "deploy a release" },
  async ({ releaseId }, user) => {
    const run = await requestDeploy(user, releaseId);
    revalidatePath(`/releases/${releaseId}`);
    return { runId: run.id };
  },
);

const dryRun = authorizedAction(
  { name: "release.dry-run", schema: releaseIdSchema, permission: "release:deploy", verb: "plan a deploy" },
  async ({ releaseId }, user) => dryRunRelease(user, releaseId),
);

export async function deployReleaseAction(input: z.input<typeof releaseIdSchema>) {
  return deploy(input);
}

export async function dryRunReleaseAction(input: z.input<typeof releaseIdSchema>) {
  return dryRun(input);
}
