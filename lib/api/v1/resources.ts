import "server-only";
import { findReleaseGate } from "@/lib/approvals/gate";
import { ApiProblem, type ApiContext } from "@/lib/api/v1/handler";
import { db } from "@/lib/db";
import { liveState } from "@/lib/deploy/live/live-state";
import { activeRunFor, lastSucceededDeployStrategy, runProgress } from "@/lib/deploy/queries";
import { deployTarget } from "@/lib/deploy/targets";
import { createRelease } from "@/lib/releases/create-release";
import { getRelease } from "@/lib/releases/queries";
import type { ApiCreateReleaseInput } from "@/lib/schemas/api-v1";
import { createReleaseSchema } from "@/lib/schemas/release";
import { invalidInput } from "@/lib/actions/field-errors";
import type { ReleaseLink } from "@/lib/schemas/release";

/*
 * What the /api/v1 routes answer, read and written through the same lib/ functions the pages
 * and server actions use; only the shapes (ids and names instead of page props) are the API's.
 */

/** A service by id or by name; null when neither names one. */
export async function findService(idOrName: string) {
  return (
    (await db.service.findUnique({ where: { id: idOrName } })) ??
    (await db.service.findUnique({ where: { name: idOrName } }))
  );
}

async function findEnvironment(idOrName: string) {
  return (
    (await db.environment.findUnique({ where: { id: idOrName } })) ??
    (await db.environment.findUnique({ where: { name: idOrName } }))
  );
}

/** The environment a body names (by id or name), or a 404 problem. */
export async function resolveEnvironment(input: { environmentId?: string; environment?: string }) {
  const environment = await findEnvironment((input.environmentId ?? input.environment)!);
  if (!environment)
    throw new ApiProblem("NOT_FOUND", "That environment does not exist.", { environment: ["Unknown environment."] });
  return environment;
}

/** POST /api/v1/releases: names resolved, defaults filled, then the server action's own schema and lib function. */
export async function createReleaseFromApi(context: ApiContext, input: ApiCreateReleaseInput) {
  const service = await findService((input.serviceId ?? input.service)!);
  if (!service) throw new ApiProblem("NOT_FOUND", "That service does not exist.", { service: ["Unknown service."] });
  const environment = await resolveEnvironment(input);
  await context.requireEnvironment(environment.id);
  const target = await db.serviceTarget.findUnique({
    where: { serviceId_environmentId: { serviceId: service.id, environmentId: environment.id } },
  });
  if (!target) {
    const message = `${service.displayName} is not set up for ${environment.displayName}.`;
    throw new ApiProblem("INVALID", message, { environment: [message] });
  }
  const links: ReleaseLink[] = [...input.links];
  if (input.commitSha && service.repoUrl && links.length < 10)
    links.push({
      label: `Commit ${input.commitSha.slice(0, 12)}`,
      url: `${service.repoUrl.replace(/\/+$/, "")}/commit/${input.commitSha}`,
    });
  const parsed = createReleaseSchema.safeParse({
    serviceId: service.id,
    environmentId: environment.id,
    imageRef: input.imageRef,
    strategy: input.strategy ?? target.defaultStrategy,
    changeSummary:
      input.changeSummary ??
      `Built from commit ${input.commitSha} by a pipeline (API token “${context.caller.token.name}”).`,
    links,
  });
  if (!parsed.success) {
    const invalid = invalidInput(parsed.error);
    throw new ApiProblem("INVALID", invalid.message, invalid.fieldErrors);
  }
  const created = await createRelease(context.caller, parsed.data);
  return releaseAnswer(context, created.id);
}

/** GET /api/v1/releases/{id}. */
export async function releaseAnswer(context: ApiContext, releaseId: string) {
  const release = await getRelease(releaseId);
  if (!release) throw new ApiProblem("NOT_FOUND", "That release does not exist.");
  await context.requireEnvironment(release.environmentId);
  const run = await db.deploymentRun.findFirst({
    where: { releaseId: release.id, kind: "DEPLOY" },
    orderBy: { createdAt: "desc" },
    select: { id: true, status: true },
  });
  return {
    id: release.id,
    number: release.number,
    status: release.status,
    revision: release.revision,
    service: { id: release.service.id, name: release.service.name },
    environment: { id: release.environment.id, name: release.environment.name },
    imageRef: release.imageRef,
    strategy: release.strategy,
    changeSummary: release.changeSummary,
    links: release.links as ReleaseLink[],
    createdAt: release.createdAt.toISOString(),
    latestRun: run ? { id: run.id, status: run.status } : null,
  };
}

/** GET /api/v1/releases/{id}/gate: the release page's gate, as data. */
export async function gateAnswer(context: ApiContext, releaseId: string) {
  const gate = await findReleaseGate(releaseId);
  if (!gate) throw new ApiProblem("NOT_FOUND", "That release does not exist.");
  await context.requireEnvironment(gate.release.environmentId);
  return {
    releaseId: gate.release.id,
    revision: gate.revision,
    green: gate.green,
    unmet: gate.unmet.map((u) => ({ kind: u.kind, message: u.message, ...("role" in u ? { role: u.role } : {}) })),
    warnings: gate.warnings,
  };
}

/** The environment a release is in, or a 404; checked against the token before anything is asked of lib/. */
export async function releaseEnvironment(context: ApiContext, releaseId: string) {
  const release = await db.release.findUnique({ where: { id: releaseId }, select: { environmentId: true } });
  if (!release) throw new ApiProblem("NOT_FOUND", "That release does not exist.");
  await context.requireEnvironment(release.environmentId);
}

/** GET /api/v1/runs/{id}: status and events, as the run page polls them (step bodies by role). */
export async function runAnswer(context: ApiContext, runId: string) {
  const row = await db.deploymentRun.findUnique({ where: { id: runId }, select: { environmentId: true } });
  if (!row) throw new ApiProblem("NOT_FOUND", "That run does not exist.");
  await context.requireEnvironment(row.environmentId);
  const run = await runProgress(runId, context.caller);
  if (!run) throw new ApiProblem("NOT_FOUND", "That run does not exist.");
  return run;
}

/** GET /api/v1/services/{id}: each environment the token may see, live from its cluster. */
export async function serviceAnswer(context: ApiContext, idOrName: string) {
  const found = await findService(idOrName);
  if (!found) throw new ApiProblem("NOT_FOUND", "That service does not exist.");
  const targets = await db.serviceTarget.findMany({
    where: {
      serviceId: found.id,
      ...(context.caller.token.environmentIds.length > 0
        ? { environmentId: { in: context.caller.token.environmentIds } }
        : {}),
    },
    include: { environment: true },
    orderBy: { environment: { position: "asc" } },
  });
  const environments = await Promise.all(
    targets.map(async (target) => {
      const strategy = (await lastSucceededDeployStrategy(found.id, target.environmentId)) ?? target.defaultStrategy;
      const [live, active] = await Promise.all([
        liveState(deployTarget(target, found.name), strategy, found.id, target.environmentId),
        activeRunFor(found.id, target.environmentId),
      ]);
      return {
        environment: { id: target.environment.id, name: target.environment.name },
        cluster: target.cluster,
        namespace: target.namespace,
        strategy,
        live: { image: live.image, replicas: live.replicas, detail: live.detail, error: live.error },
        activeRun: active ? { id: active.id, kind: active.kind, status: active.status } : null,
      };
    }),
  );
  return { id: found.id, name: found.name, displayName: found.displayName, environments };
}
